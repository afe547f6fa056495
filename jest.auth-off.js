// Tests predate authentication and call the API without credentials; the production default is AUTH=on
// (docs/security.md). Tests of authentication set AUTH=on themselves.
process.env.AUTH ??= 'off';
