"""Print the Intercom hub's events as they arrive, with pysignalr (``pip install pysignalr``).

    MEDIA_ENGINE_KEY=mek_... python hub_client.py http://127.0.0.1:8000
"""

import asyncio
import json
import os
import sys

from pysignalr.client import SignalRClient

EVENTS = ["MediaAdded", "MetadataHarvested", "IngestionStarted", "IngestionProgress",
          "IngestionCompleted", "IngestionFailed", "WatchFolderActive", "FolderHealthChanged"]


async def main(engine):
    # The key goes in the connection's own request. (pysignalr's access_token_factory sets its
    # header only after the socket is open, too late to count.)
    client = SignalRClient(f"{engine}/hubs/intercom", headers={"X-Api-Key": os.environ["MEDIA_ENGINE_KEY"]})

    async def opened():
        print("connected", flush=True)

    client.on_open(opened)
    for name in EVENTS:
        async def show(arguments, name=name):
            print(name, json.dumps(arguments[0]), flush=True)

        client.on(name, show)
    await client.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
