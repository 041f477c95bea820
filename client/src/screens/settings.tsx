import { Layout } from "../ui/layout";

export function Settings() {
  return <Layout title="Settings">TODO</Layout>;
}
