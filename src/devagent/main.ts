#!/usr/bin/env node
// placeholder: replaced by the devagent implementation
export {};
