// Failure messages and stack traces go through the payload codec too, so they are encrypted in
// history. Plain CommonJS on purpose: the client, the worker and the workflow bundler all load this
// file by path (failureConverterPath), each with its own loader.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
