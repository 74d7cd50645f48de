"""Support for the OpenSubsonic tests: a tagged music library, the XSD and its validator."""
