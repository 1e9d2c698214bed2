// The account page: change the password, see and log out devices, create / list / revoke API keys, delete the account.
// Each section is its own component under components/account/.
import { A, useNavigate } from '@solidjs/router';
import { DeleteSection } from '../components/account/delete-section';
import { DevicesSection } from '../components/account/devices-section';
import { KeysSection } from '../components/account/keys-section';
import { PasswordSection } from '../components/account/password-section';
import { secondary } from '../components/account/section';
import { Preferences } from '../components/preferences';
import { t } from '../lib/i18n';
import { user } from '../state/auth.state';

export default function AccountPage() {
  const navigate = useNavigate();
  const toLogin = () => navigate('/login', { replace: true });
  return (
    <main class="min-h-full bg-zinc-50 px-4 py-8 dark:bg-zinc-950">
      <div class="mx-auto max-w-2xl space-y-6">
        <header class="flex flex-wrap items-center justify-between gap-3">
          <div>
            <h1 class="text-2xl font-semibold">{t('account.title')}</h1>
            <p class="text-sm text-zinc-600 dark:text-zinc-400">
              {t('account.signedInAs', { name: user()?.username ?? '', email: user()?.email ?? '' })}
            </p>
          </div>
          <div class="flex items-center gap-2">
            <Preferences />
            <A href="/" class={secondary}>
              {t('account.back')}
            </A>
          </div>
        </header>
        <PasswordSection />
        <DevicesSection onLoggedOut={toLogin} />
        <KeysSection />
        <DeleteSection onDeleted={toLogin} />
      </div>
    </main>
  );
}
