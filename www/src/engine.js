// Page-side client of the analysis worker: request/response over postMessage,
// progress callbacks, and replacing the worker when it is cancelled or crashes.

export class EngineError extends Error {
  constructor(info) {
    super(info.message);
    this.name = 'EngineError';
    Object.assign(this, info);
  }
}

export class Engine {
  /**
   * @param {object} hooks  onProgress({name, done, total, parsing}), onCrash(error) when the worker dies
   */
  constructor(hooks = {}) {
    this.hooks = hooks;
    this.worker = null;
    this.pending = new Map();
    this.nextId = 1;
    this.generation = 0;
    this.start();
  }

  start() {
    this.generation += 1;
    const gen = this.generation;
    const w = new Worker('worker.js', { type: 'module', name: 'memberlens-engine' });
    w.onmessage = (ev) => {
      if (gen !== this.generation) return;
      const msg = ev.data;
      if (msg.type === 'progress') {
        this.hooks.onProgress?.(msg);
        return;
      }
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new EngineError(msg.error));
    };
    // An uncaught exception inside the worker or a failed module load: fail everything in flight.
    w.onerror = (ev) => {
      if (gen !== this.generation) return;
      ev.preventDefault?.();
      const detail = ev.message || 'worker error';
      this.failAll({ fatal: true, code: 'worker_error', message: detail, message_zh: detail });
      this.hooks.onCrash?.(detail);
    };
    w.onmessageerror = () => {
      if (gen !== this.generation) return;
      this.failAll({ fatal: true, code: 'worker_message', message: 'message could not be decoded', message_zh: '消息无法解码' });
    };
    this.worker = w;
    this.version = this.call('init').then((r) => r.version);
    this.version.catch(() => {});
  }

  failAll(info) {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new EngineError(info));
  }

  /** Terminate the worker (cancel, or after a crash) and start a fresh, empty one. */
  restart(reason = { fatal: false, code: 'cancelled', message: 'cancelled', message_zh: '已取消' }) {
    this.worker?.terminate();
    this.failAll(reason);
    this.start();
  }

  call(type, payload = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, ...payload });
    });
  }

  addFile(name, file, options) { return this.call('addFile', { name, file, options }); }
  setFileOptions(name, options) { return this.call('setFileOptions', { name, options }); }
  removeFile(name) { return this.call('removeFile', { name }); }
  analyze(options) { return this.call('analyze', { options }); }
  query(query) { return this.call('query', { query }); }
  exportMembers(query, format) { return this.call('export', { query, format }); }
}
