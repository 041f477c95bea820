import { Layout } from "../ui/layout";

export function Insights() {
  return <Layout title="Insights">TODO</Layout>;
}
