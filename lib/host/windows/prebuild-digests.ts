// SHA-256 of the addons this package ships (prebuilds/<platform>-<arch>/node.napi.node), written by
// `npm run build:native -- --update-digests` (scripts/build-native.mjs). The loader maps only a file
// with one of these digests: a planted or altered DLL never runs. The cross build is reproducible,
// so CI's build must give the same bytes (the Windows tier checks it).
export const PREBUILD_DIGESTS: Readonly<Record<string, string>> = {
  'win32-x64': '599e50c5ecac07dede215a752bc196b8b64776a61f10d9a5e593fbbc5a985926',
};
