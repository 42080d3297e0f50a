// Browser side of the FT-2 data-channel benchmark (folder-datachannel.ts),
// installed with context.addInitScript({ path }) in every page of the bench
// (plain JS: it runs as is in the page, untouched by any compiler). Defines
// window.__ftBench:
//
//   seed(name, mib)      writes `mib` MiB of random bytes to `name` in this
//                        origin's private file system (the customer's "folder");
//                        resolves with their SHA-256.
//   nextBlob(timeoutMs)  product timing on the rep's page: resolves when the page
//                        makes an object URL of a Blob (the folder view does so
//                        as soon as a download is complete) with the time since
//                        the last click on a "Download …" button, in ms (the
//                        page's own clock), the Blob's size and its SHA-256.
//   bareOffer / bareAnswer / bareAccept: a plain RTCPeerConnection pair between
//                        two pages, one ordered data channel, the whole SDP
//                        exchanged once ICE gathering completed.
//   bareLoad(name)       the sending page reads the same file into memory.
//   bareServe()          the sending page sends it, in 64 KiB messages with
//                        bufferedAmountLowThreshold flow control, when asked.
//   bareReceive(size, timeoutMs) the receiving page asks, collects `size` bytes
//                        into a Blob, and resolves with the ms from asking to
//                        the Blob, its size and its SHA-256.
(() => {
  'use strict';
  const CHUNK = 64 * 1024;
  /** The sender waits while more than HIGH is queued, until the queue drops to LOW (bufferedamountlow). */
  const HIGH = 4 * 1024 * 1024;
  const LOW = 1024 * 1024;

  const hex = (buf) => Array.from(new Uint8Array(buf), (x) => x.toString(16).padStart(2, '0')).join('');
  const sha256 = async (blob) => hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  const gathered = (pc) =>
    pc.iceGatheringState === 'complete'
      ? Promise.resolve()
      : new Promise((resolve) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()));
  const opened = (dc) => (dc.readyState === 'open' ? Promise.resolve() : new Promise((resolve) => dc.addEventListener('open', () => resolve(), { once: true })));
  /** `p`, or an error after `ms`. */
  const within = (p, ms, what) => {
    let timer;
    const late = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)));
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  };

  // ---- product timing (rep's page)
  let lastClick = null;
  let blobWaiter = null;
  document.addEventListener(
    'click',
    (e) => {
      const b = e.target instanceof Element ? e.target.closest('button') : null;
      if (b && /^Download /.test(b.getAttribute('aria-label') || '')) lastClick = performance.now();
    },
    true,
  );
  const createObjectURL = URL.createObjectURL;
  URL.createObjectURL = function (obj) {
    if (obj instanceof Blob && blobWaiter && lastClick !== null) {
      const w = blobWaiter;
      blobWaiter = null;
      w({ ms: performance.now() - lastClick, blob: obj });
    }
    return createObjectURL.call(URL, obj);
  };

  // ---- the bare pair
  let pc = null;
  let dc = null;
  let channel = null;
  let data = null;

  window.__ftBench = {
    async seed(name, mib) {
      const root = await navigator.storage.getDirectory();
      const w = await (await root.getFileHandle(name, { create: true })).createWritable();
      const block = new Uint8Array(1024 * 1024);
      for (let i = 0; i < mib; i++) {
        for (let o = 0; o < block.length; o += 65536) crypto.getRandomValues(block.subarray(o, o + 65536));
        await w.write(block);
      }
      await w.close();
      return sha256(await (await root.getFileHandle(name)).getFile());
    },

    async nextBlob(timeoutMs) {
      lastClick = null;
      const got = await within(new Promise((resolve) => (blobWaiter = resolve)), timeoutMs, 'the downloaded Blob');
      return { ms: got.ms, size: got.blob.size, sha256: await sha256(got.blob) };
    },

    async bareOffer() {
      pc = new RTCPeerConnection();
      dc = pc.createDataChannel('bench', { ordered: true });
      dc.binaryType = 'arraybuffer';
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      return pc.localDescription.sdp;
    },
    async bareAnswer(sdp) {
      pc = new RTCPeerConnection();
      channel = new Promise((resolve) =>
        (pc.ondatachannel = (e) => {
          dc = e.channel;
          dc.binaryType = 'arraybuffer';
          resolve(dc);
        }),
      );
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      return pc.localDescription.sdp;
    },
    async bareAccept(sdp) {
      await pc.setRemoteDescription({ type: 'answer', sdp });
      await within(opened(dc), 20000, 'the bare data channel to open (offering page)');
    },
    async bareOpened() {
      await within(
        channel.then((c) => opened(c)),
        20000,
        'the bare data channel to open (answering page)',
      );
    },

    async bareLoad(name) {
      const root = await navigator.storage.getDirectory();
      data = new Uint8Array(await (await (await root.getFileHandle(name)).getFile()).arrayBuffer());
      return data.byteLength;
    },
    bareServe() {
      dc.bufferedAmountLowThreshold = LOW;
      dc.onmessage = async (e) => {
        if (e.data !== 'go') return;
        for (let off = 0; off < data.byteLength; ) {
          if (dc.bufferedAmount > HIGH) {
            await new Promise((resolve) => dc.addEventListener('bufferedamountlow', () => resolve(), { once: true }));
            continue;
          }
          dc.send(data.subarray(off, off + CHUNK));
          off += CHUNK;
        }
      };
    },
    async bareReceive(size, timeoutMs) {
      const parts = [];
      let got = 0;
      const done = new Promise((resolve) => {
        dc.onmessage = (e) => {
          parts.push(e.data);
          got += e.data.byteLength;
          if (got >= size) resolve();
        };
      });
      const t0 = performance.now();
      dc.send('go');
      await within(done, timeoutMs, `${size} bytes over the bare data channel`);
      const blob = new Blob(parts);
      const ms = performance.now() - t0;
      parts.length = 0;
      return { ms, size: blob.size, sha256: await sha256(blob) };
    },
  };
})();
