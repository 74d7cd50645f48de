// The official SignalR JavaScript client as a long-lived Node app: connects, reports every event,
// answers commands on stdin ("ping", "stop") and reports its own close.
//
// Usage: node hub_listener.js '<json options>'
//   {url, key?, auth: "header"|"bearer"|"query"|"none", skipNegotiation?, events: [names]}
// Prints one JSON line per fact: {"connected": true} or {"connected": false, "error": "..."},
// {"event": name, "payload": ...}, {"ping": "Pong"}, {"closed": "error or null"}.
"use strict";

const readline = require("readline");
const signalR = require("@microsoft/signalr");

const options = JSON.parse(process.argv[2]);

function report(line) {
    process.stdout.write(JSON.stringify(line) + "\n");
}

async function main() {
    let url = options.url;
    const connectionOptions = { skipNegotiation: Boolean(options.skipNegotiation), headers: {} };
    if (options.skipNegotiation) {
        connectionOptions.transport = signalR.HttpTransportType.WebSockets;
    }
    if (options.auth === "header") {
        connectionOptions.headers["X-Api-Key"] = options.key;
    } else if (options.auth === "bearer") {
        connectionOptions.accessTokenFactory = () => options.key;
    } else if (options.auth === "query") {
        url += (url.includes("?") ? "&" : "?") + "access_token=" + encodeURIComponent(options.key);
    }
    const connection = new signalR.HubConnectionBuilder()
        .withUrl(url, connectionOptions)
        .configureLogging(signalR.LogLevel.None)
        .build();
    for (const name of options.events || []) {
        connection.on(name, (payload) => report({ event: name, payload }));
    }
    connection.onclose((error) => {
        report({ closed: error ? String(error.message || error) : null });
        process.exit(0);
    });
    try {
        await connection.start();
    } catch (error) {
        report({ connected: false, error: String(error && error.message || error) });
        process.exit(0);
    }
    report({ connected: true });

    const commands = readline.createInterface({ input: process.stdin });
    for await (const command of commands) {
        if (command === "ping") {
            report({ ping: await connection.invoke("Ping") });
        } else if (command === "stop") {
            await connection.stop();
        }
    }
}

main().catch((error) => {
    report({ crashed: String(error && error.stack || error) });
    process.exit(1);
});
