// The router: lazy pages, the chat behind login, a 404 route; any 401 returns to /login.
import { Navigate, Route, Router, type RouteSectionProps, useNavigate } from '@solidjs/router';
import { type Component, lazy, type ParentProps, Show } from 'solid-js';
import { SafeBoundary } from './components/error-boundary';
import { ServerBanner } from './components/server-banner';
import { onUnauthorized } from './lib/api';
import { withWords } from './lib/i18n';
import { clearSession, isLoggedIn } from './state/auth.state';

const LoginPage = lazy(withWords(() => import('./pages/login.page'), 'auth'));
const RegisterPage = lazy(withWords(() => import('./pages/register.page'), 'auth'));
const ChatPage = lazy(() => import('./pages/chat.page'));
const NotFoundPage = lazy(() => import('./pages/not-found.page'));
const AccountPage = lazy(withWords(() => import('./pages/account.page'), 'account'));
const ForgotPasswordPage = lazy(withWords(() => import('./pages/forgot-password.page'), 'auth'));
const ResetPasswordPage = lazy(withWords(() => import('./pages/reset-password.page'), 'auth'));
// The admin console (and its chart library) loads only when an admin opens it: the chat page's budget is untouched.
const AdminPage = lazy(withWords(() => import('./pages/admin.page'), 'admin'));

function Root(props: RouteSectionProps) {
  const navigate = useNavigate();
  onUnauthorized(() => {
    clearSession();
    navigate('/login', { replace: true });
  });
  return (
    <>
      <ServerBanner />
      <SafeBoundary>{props.children}</SafeBoundary>
    </>
  );
}

function Protected(props: ParentProps) {
  return (
    <Show when={isLoggedIn()} fallback={<Navigate href="/login" />}>
      {props.children}
    </Show>
  );
}

function GuestOnly(props: ParentProps) {
  return (
    <Show when={!isLoggedIn()} fallback={<Navigate href="/" />}>
      {props.children}
    </Show>
  );
}

const guarded = (Page: Component, Guard: Component<ParentProps>) => () => (
  <Guard>
    <Page />
  </Guard>
);

export function AppRoutes() {
  return (
    <Router root={Root}>
      <Route path="/login" component={guarded(LoginPage, GuestOnly)} />
      <Route path="/register" component={guarded(RegisterPage, GuestOnly)} />
      <Route path="/forgot-password" component={guarded(ForgotPasswordPage, GuestOnly)} />
      <Route path="/reset-password" component={ResetPasswordPage} />
      <Route path="/account" component={guarded(AccountPage, Protected)} />
      <Route path={['/', '/c/:id']} component={guarded(ChatPage, Protected)} />
      <Route path="/admin" component={guarded(AdminPage, Protected)} />
      <Route path="*404" component={NotFoundPage} />
    </Router>
  );
}
