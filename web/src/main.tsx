import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { Live } from './live.js';
import { takeToken } from './token.js';
import './styles.css';

// A server run with MAESTRO_TOKEN is opened once as http://host:port/#token=<token>.
const live = new Live(location.origin, takeToken(location, history, sessionStorage));
// For end-to-end tests, benchmarks and the curious: the live cache, and a way to cut its connection.
(window as unknown as { maestro: Live }).maestro = live;
void live.start();
createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App live={live} />
  </StrictMode>,
);
