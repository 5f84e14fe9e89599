// ora in a bundle of its own (dist/spinner.cjs, see scripts/build.mjs): verbs load it only
// when they draw a spinner, so every other run neither reads nor parses it.
export { default as ora } from 'ora';
