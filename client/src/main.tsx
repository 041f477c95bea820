import { render } from "preact";
import { App } from "./app";
import { startOutbox } from "./outbox";
import { loadSession } from "./session";
import { refreshAll } from "./ui/data";
import "./styles.css";

render(<App />, document.getElementById("app")!);
void loadSession();
startOutbox();

if ("serviceWorker" in navigator) {
  // The worker claims open pages as soon as it activates (skipWaiting + clientsClaim), without a
  // reload that could lose what the student is typing. On the very first visit the screen's reads
  // happened before it was in control, so they are asked for again through it, to be kept offline.
  const firstVisit = !navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (firstVisit) {
      void loadSession();
      refreshAll();
    }
  });
  void navigator.serviceWorker.register("/sw.js", { scope: "/" });
}
