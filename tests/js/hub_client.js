// Drives the Intercom hub with the official SignalR JavaScript client, as a Node app would.
//
// Usage: node hub_client.js '<json options>'
//   {url, key?, auth: "header"|"bearer"|"none", origin?, skipNegotiation?, waitFor?, timeoutMs?}
// Prints one JSON line per step: {"connected": true, "ping": "Pong"} or {"connected": false,
// "error": "..."}, then {"event": name, "payload": ...} when `waitFor` arrives, then exits.
"use strict";

const signalR = require("@microsoft/signalr");

const options = JSON.parse(process.argv[2]);

function report(line) {
    process.stdout.write(JSON.stringify(line) + "\n");
}

async function main() {
    const headers = {};
    const connectionOptions = { skipNegotiation: Boolean(options.skipNegotiation) };
    if (options.skipNegotiation) {
        connectionOptions.transport = signalR.HttpTransportType.WebSockets;
    }
    if (options.auth === "header") {
        headers["X-Api-Key"] = options.key;
    } else if (options.auth === "bearer") {
        connectionOptions.accessTokenFactory = () => options.key;
    }
    if (options.origin) {
        headers["Origin"] = options.origin;
    }
    connectionOptions.headers = headers;

    const connection = new signalR.HubConnectionBuilder()
        .withUrl(options.url, connectionOptions)
        .configureLogging(signalR.LogLevel.None)
        .build();

    let resolveEvent;
    const eventArrived = new Promise((resolve) => { resolveEvent = resolve; });
    if (options.waitFor) {
        connection.on(options.waitFor, (payload) => resolveEvent(payload));
    }
    let closedWith = null;
    connection.onclose((error) => {
        closedWith = error ? String(error.message || error) : "closed";
        // A closed connection will not deliver the event: report now rather than at the timeout.
        resolveEvent(undefined);
    });

    try {
        await connection.start();
    } catch (error) {
        const status = /Status code .(\d+)/.exec(String(error && error.message));
        report({ connected: false, error: String(error && error.message || error), statusCode: status ? Number(status[1]) : null });
        process.exit(0);
    }
    const pong = await connection.invoke("Ping");
    let unknown = null;
    try {
        await connection.invoke("NoSuchMethod");
    } catch (error) {
        unknown = String(error.message);
    }
    report({ connected: true, ping: pong, unknownMethodError: unknown });

    if (options.waitFor) {
        const timeout = new Promise((resolve) => setTimeout(() => resolve(undefined), options.timeoutMs || 20000));
        const payload = await Promise.race([eventArrived, timeout]);
        if (payload === undefined) {
            report({ event: null, closedWith });
        } else {
            report({ event: options.waitFor, payload });
        }
    }
    await connection.stop();
    process.exit(0);
}

main().catch((error) => {
    report({ crashed: String(error && error.stack || error) });
    process.exit(1);
});
