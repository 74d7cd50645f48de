// Read an OPDS 1.2 feed as Thorium Reader does: Readium's r2-opds-js deserialises the Atom
// (with @xmldom/xmldom) and converts it to OPDS 2.0; prints the result as JSON.
//
//     node opds_reader.js http://127.0.0.1:8000/opds/recent   (key in MEDIA_ENGINE_KEY, sent as Basic)
"use strict";
require("reflect-metadata");
const base = "r2-opds-js/dist/es8-es2017/src/opds";
const { initGlobalConverters_OPDS } = require(`${base}/init-globals`);
const { initGlobalConverters_GENERIC } = require("r2-shared-js/dist/es8-es2017/src/init-globals");
const { OPDS } = require(`${base}/opds1/opds`);
const { convertOpds1ToOpds2 } = require(`${base}/converter`);
const { XML } = require("r2-utils-js/dist/es8-es2017/src/_utils/xml-js-mapper");
const { TaJsonSerialize } = require("r2-lcp-js/dist/es8-es2017/src/serializable");
const { DOMParser } = require("@xmldom/xmldom");

initGlobalConverters_GENERIC();
initGlobalConverters_OPDS();

async function main(url) {
    const authorization = "Basic " + Buffer.from(`thorium:${process.env.MEDIA_ENGINE_KEY}`).toString("base64");
    const response = await fetch(url, { headers: { Authorization: authorization } });
    if (!response.ok) {
        throw new Error(`${url}: ${response.status} ${await response.text()}`);
    }
    const dom = new DOMParser().parseFromString(await response.text(), "application/xml");
    const feed = convertOpds1ToOpds2(XML.deserialize(dom, OPDS));
    process.stdout.write(JSON.stringify(TaJsonSerialize(feed)));
}

main(process.argv[2]).catch((error) => { console.error(error.message); process.exit(1); });
