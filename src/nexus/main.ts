#!/usr/bin/env node
// placeholder: replaced by the nexus implementation
export {};
