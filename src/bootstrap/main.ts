#!/usr/bin/env node
// placeholder: replaced by the bootstrap implementation
export {};
