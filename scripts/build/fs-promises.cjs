// Node 12 has fs.promises but no 'fs/promises' module (added in 14); dependencies that import the
// module get this instead when the bundle is built (docs/api-floor.md).
module.exports = require('fs').promises;
