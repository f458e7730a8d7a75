#!/usr/bin/env node
// placeholder: replaced by the keeper implementation
export {};
