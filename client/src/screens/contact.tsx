import { Layout } from "../ui/layout";

export function ContactScreen({ id, step }: { id: string; step: string | null }) {
  return <Layout title="Contact">{id} {step}</Layout>;
}
