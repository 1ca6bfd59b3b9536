import { seedLinkedCompany } from '../helpers/seeded-company';
import { startWorld } from '../helpers/world';
import { Session } from 'node:inspector/promises';
import { SyncState } from '../../main/core/sync/state';
const times = new Map<string, [number, number]>();
const orig = (SyncState.prototype as any).sql;
(SyncState.prototype as any).sql = function (text: string) {
  const st = orig.call(this, text);
  const wrap = (name: string) => { const f = st[name].bind(st); return (...a: unknown[]) => { const t = performance.now(); try { return f(...a); } finally { const e = times.get(text) ?? [0, 0]; e[0] += performance.now() - t; e[1]++; times.set(text, e); } }; };
  return { all: wrap('all'), get: wrap('get'), run: wrap('run') };
};
const world = await startWorld({ company: { users: 1000 } });
seedLinkedCompany(world, 150);
const s = new Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.start');
const t = performance.now(); const c0 = process.cpuUsage();
const r = await world.sync();
const c = process.cpuUsage(c0);
console.log('wall', (performance.now()-t)/1000, 'cpu', (c.user+c.system)/1e6, r.ok);
const { profile } = await s.post('Profiler.stop');
// self time by function
const self = new Map<string, number>();
const byId = new Map(profile.nodes.map((n: any) => [n.id, n]));
const dt = profile.timeDeltas; let i = 0;
for (const id of profile.samples) { const n: any = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i++] ?? 0)); }
console.log([...self].sort((a,b)=>b[1]-a[1]).slice(0,40).map(([k,v])=>`${(v/1000).toFixed(0)}ms ${k}`).join('\n'));
console.log([...times].sort((a,b)=>b[1][0]-a[1][0]).slice(0,10).map(([k,[t,n]])=>`${t.toFixed(0)}ms ${n}x ${k.slice(0,90).replace(/\s+/g,' ')}`).join('\n'));
await world.close();
