// page.js: the webphone in the page, as a CRM's browser softphone would
// be written with JsSIP. drive.mjs bundles it with esbuild and calls the
// functions it puts on window; every event goes back through
// window.emit (exposed by drive.mjs).
import JsSIP from 'jssip';

let ua = null;
let session = null;

// loopbackOnly keeps the SDP's loopback candidates only: the test peer
// must not send media anywhere but 127.0.0.1.
function loopbackOnly(sdp) {
  return sdp
    .split('\r\n')
    .filter((l) => !l.startsWith('a=candidate') || / 127\.0\.0\.1 /.test(l))
    .join('\r\n');
}

// playOut plays the far end's audio, as a webphone does; Chromium computes
// the received audio's energy (getStats totalAudioEnergy) as it plays it.
function playOut(pc) {
  pc.addEventListener('track', (t) => {
    const audio = new Audio();
    audio.srcObject = t.streams[0] || new MediaStream([t.track]);
    audio.play().catch(() => {});
  });
}

function wire(s, originator) {
  session = s;
  let quiet = null;
  s.on('sdp', (e) => {
    if (e.originator === 'local') e.sdp = loopbackOnly(e.sdp);
  });
  // With binds to other interfaces refused, ICE gathering never reports
  // complete: send the description once candidates stop coming.
  s.on('icecandidate', (e) => {
    clearTimeout(quiet);
    quiet = setTimeout(e.ready, 300);
  });
  s.on('progress', () => window.emit({ ev: 'progress' }));
  s.on('accepted', () => window.emit({ ev: 'accepted' }));
  s.on('confirmed', () => window.emit({ ev: 'confirmed' }));
  s.on('hold', (e) => window.emit({ ev: 'hold', originator: e.originator }));
  s.on('unhold', (e) => window.emit({ ev: 'unhold', originator: e.originator }));
  s.on('newDTMF', (e) => {
    if (e.originator === 'remote') window.emit({ ev: 'dtmf', tone: e.dtmf.tone });
  });
  s.on('ended', (e) => window.emit({ ev: 'ended', originator: e.originator, cause: e.cause }));
  s.on('failed', (e) => window.emit({ ev: 'failed', originator: e.originator, cause: e.cause, status: e.message && e.message.status_code }));
  // A call we make has its peer connection before newRTCSession fires;
  // one we take gets it in a 'peerconnection' event.
  if (s.connection) playOut(s.connection);
  else s.on('peerconnection', (e) => playOut(e.peerconnection));
  window.emit({ ev: 'session', originator, number: s.remote_identity.uri.user });
}

const callOptions = {
  mediaConstraints: { audio: true, video: false },
  pcConfig: { iceServers: [] },
  sessionTimersExpires: 120,
};

window.startUA = ({ ws, uri, password }) => {
  JsSIP.debug.disable('JsSIP:*');
  const socket = new JsSIP.WebSocketInterface(ws);
  ua = new JsSIP.UA({ sockets: [socket], uri, password, register: true, session_timers: true });
  ua.on('registered', () => window.emit({ ev: 'registered' }));
  ua.on('registrationFailed', (e) => window.emit({ ev: 'registrationFailed', cause: e.cause }));
  ua.on('newRTCSession', (e) => wire(e.session, e.originator));
  ua.start();
};

window.call = (target) => {
  ua.call(target, callOptions);
};

window.answer = () => session.answer(callOptions);
window.hangup = () => session.terminate();
window.hold = () => session.hold();
window.unhold = () => session.unhold();
window.sendDTMF = (tones) => session.sendDTMF(tones, { transportType: 'INFO' });

// stats returns the call's inbound and outbound audio RTP counters as
// Chromium's getStats reports them.
window.stats = async () => {
  const pc = session && session.connection;
  if (!pc) return { error: 'no call' };
  const out = {};
  (await pc.getStats()).forEach((r) => {
    if (r.kind !== 'audio') return;
    if (r.type === 'inbound-rtp') {
      out.packetsReceived = r.packetsReceived;
      out.packetsLost = r.packetsLost;
      out.totalAudioEnergy = r.totalAudioEnergy;
      out.codec = r.codecId;
    }
    if (r.type === 'outbound-rtp') out.packetsSent = r.packetsSent;
  });
  return out;
};
