"use strict";
/**
 * A reporter for `node --test` (tests/support/runTests.cjs adds it): the duration of each test file's suite, as JSON
 * by path, so the next `npm test` can deal the slowest files first. Top-level tests are the files' suites there.
 */
module.exports = async function* durations(source) {
    const measured = {};
    for await (const event of source) {
        if ((event.type === "test:pass" || event.type === "test:fail") && event.data.nesting === 0) {
            measured[event.data.name] = Math.round(event.data.details.duration_ms);
        }
    }
    yield `${JSON.stringify(measured)}\n`;
};
