// Print the Intercom hub's events as they arrive, with the official client
// (npm install @microsoft/signalr).
//
//     MEDIA_ENGINE_KEY=mek_... node hub_client.js http://127.0.0.1:8000
"use strict";
const signalR = require("@microsoft/signalr");

const events = ["MediaAdded", "MetadataHarvested", "IngestionStarted", "IngestionProgress",
    "IngestionCompleted", "IngestionFailed", "WatchFolderActive", "FolderHealthChanged"];

// Node sends headers on the WebSocket too. A web page cannot: there, use
// accessTokenFactory with a ticket from POST /hubs/intercom/ticket instead.
const connection = new signalR.HubConnectionBuilder()
    .withUrl(`${process.argv[2]}/hubs/intercom`, { headers: { "X-Api-Key": process.env.MEDIA_ENGINE_KEY } })
    .build();
for (const name of events) {
    connection.on(name, (payload) => console.log(name, JSON.stringify(payload)));
}
connection.onclose((error) => console.log("closed", error ? error.message : ""));
connection.start()
    .then(() => console.log("connected"))
    .catch((error) => { console.error(error.message); process.exit(1); });
