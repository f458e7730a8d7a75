import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSync } from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import {
  hasWorkloadApiHeader,
  protoLoaderOptions,
  workloadApiClientConstructor,
  workloadApiMetadata,
  workloadApiProto,
  workloadApiService,
} from '../../../src/spiffe/proto.js';

describe('Workload API proto', () => {
  it('has the upstream method paths (no package line)', () => {
    const svc = workloadApiService();
    expect(Object.values(svc).map((m) => m.path).sort()).toEqual([
      '/SpiffeWorkloadAPI/FetchX509Bundles',
      '/SpiffeWorkloadAPI/FetchX509SVID',
    ]);
    expect(svc['FetchX509SVID']?.responseStream).toBe(true);
    expect(svc['FetchX509SVID']?.requestStream).toBe(false);
    expect(typeof workloadApiClientConstructor()).toBe('function');
  });

  it('JSON descriptor agrees with the proto text (same wire encoding)', () => {
    const dir = mkdtempSync('/tmp/wlp-');
    try {
      const file = join(dir, 'workload.proto');
      writeFileSync(file, workloadApiProto);
      const fromText = grpc.loadPackageDefinition(loadSync(file, protoLoaderOptions));
      const textSvc = (fromText['SpiffeWorkloadAPI'] as grpc.ServiceClientConstructor).service;
      const ours = workloadApiService();
      const msg = {
        svids: [{ spiffe_id: 'spiffe://td/a', x509_svid: Buffer.from([1, 2]), x509_svid_key: Buffer.from([3]), bundle: Buffer.from([4]), hint: 'h' }],
        crl: [Buffer.from([9])],
        federated_bundles: { 'spiffe://other': Buffer.from([5, 6]) },
      };
      const a = ours['FetchX509SVID']!.responseSerialize(msg);
      const b = textSvc['FetchX509SVID']!.responseSerialize(msg);
      expect(Buffer.compare(a, b)).toBe(0);
      expect(ours['FetchX509SVID']!.responseDeserialize(b)).toEqual(textSvc['FetchX509SVID']!.responseDeserialize(a));
      const bmsg = { crl: [], bundles: { 'spiffe://td': Buffer.from([7]) } };
      expect(Buffer.compare(ours['FetchX509Bundles']!.responseSerialize(bmsg), textSvc['FetchX509Bundles']!.responseSerialize(bmsg))).toBe(0);
      // Field numbers: spiffe_id=1 (tag 0x0a), x509_svid=2 (0x12) inside svids=1.
      expect(a[0]).toBe(0x0a);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('security header', () => {
    expect(hasWorkloadApiHeader(workloadApiMetadata())).toBe(true);
    expect(hasWorkloadApiHeader(new grpc.Metadata())).toBe(false);
    const twice = workloadApiMetadata();
    twice.add('workload.spiffe.io', 'true');
    expect(hasWorkloadApiHeader(twice)).toBe(false);
    const upper = new grpc.Metadata();
    upper.set('workload.spiffe.io', 'TRUE');
    expect(hasWorkloadApiHeader(upper)).toBe(false);
  });
});
