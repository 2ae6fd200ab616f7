// Constants www/build-embed.mjs defines when it bundles the embedding entry points.

/** Defined (true) in the <member-lens> bundles: main.js then leaves starting the page to the element. */
declare const MEMBERLENS_EMBED: boolean;
/** The page's markup (index.html from its top bar to the end of <main>), mounted in each element's shadow root. */
declare const MEMBERLENS_MARKUP: string;
/** styles.css rewritten for a shadow root (:host for :root, a wrapper for <body>, container queries, --ml-* theme properties). */
declare const MEMBERLENS_STYLES: string;
