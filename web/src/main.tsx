import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { Live } from './live.js';
import './styles.css';

const live = new Live(location.origin);
// For end-to-end tests and the curious: the live cache, and a way to cut its connection.
(window as unknown as { maestro: Live }).maestro = live;
void live.start();
createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App live={live} />
  </StrictMode>,
);
