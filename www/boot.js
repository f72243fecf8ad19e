// Starts the app without an inline script, so the page's Content-Security-Policy can forbid
// inline scripts: Trunk.toml's pattern_script puts the hashed file names on this tag.
const tag = document.querySelector('script[data-kubeplay-js]');
const { default: init } = await import(tag.dataset.kubeplayJs);
await init({ module_or_path: tag.dataset.kubeplayWasm });
dispatchEvent(new CustomEvent('TrunkApplicationStarted'));
