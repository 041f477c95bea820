import { Layout } from "../ui/layout";

export function Contacts() {
  return <Layout title="Contacts">TODO</Layout>;
}
