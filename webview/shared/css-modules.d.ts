// esbuild loads `.css` imports as text (loader `text` in esbuild.mjs); panels adopt them as Lit styles.
declare module '*.css' {
  const text: string;
  export default text;
}
