#!/usr/bin/env node
// placeholder: replaced by the pilot implementation
export {};
