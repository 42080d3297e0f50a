import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { AuthProvider } from './app/auth.js';
import { RouterProvider } from './app/router.js';
import { I18nProvider } from './i18n/index.js';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <RouterProvider>
        <AuthProvider>
          <App />
        </AuthProvider>
      </RouterProvider>
    </I18nProvider>
  </StrictMode>,
);
