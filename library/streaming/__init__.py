"""Streaming: ``GET/HEAD /stream/{asset_id}`` with byte ranges, from files that stay in the library."""
