// Applies the remembered (or system) theme before the first paint, so a dark-theme user never sees a white flash.
(() => {
  try {
    const saved = localStorage.getItem('chatbot.theme');
    const dark = saved ? saved === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
    document.documentElement.classList.toggle('dark', dark);
  } catch {
    // storage blocked: the app falls back to the system theme once it starts
  }
})();
