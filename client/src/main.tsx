import { render } from "preact";
import { registerSW } from "virtual:pwa-register";
import { App } from "./app";
import { startOutbox } from "./outbox";
import { loadSession } from "./session";
import "./styles.css";

render(<App />, document.getElementById("app")!);
void loadSession();
startOutbox();
if ("serviceWorker" in navigator) registerSW({ immediate: true });
