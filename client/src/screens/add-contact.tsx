import { Layout } from "../ui/layout";

export function AddContact() {
  return <Layout title="Add a contact">TODO</Layout>;
}
