/*!
 * ringdesk-client: drives a running Ringdesk through its local API
 * (HTTP commands and a WebSocket of events on 127.0.0.1), with the verbs and
 * event names of the webphone SDKs CRMs already use.
 *
 * No dependencies and no build step. Use it
 *   - as a plain script:  <script src="ringdesk.js"></script>  (global RingdeskClient)
 *   - from CommonJS:      const RingdeskClient = require('ringdesk-client');
 *   - from an ES module:  import RingdeskClient from 'ringdesk-client';
 *                         (or: import { RingdeskClient } from 'ringdesk-client')
 *
 *   const phone = new RingdeskClient({
 *     url: 'http://127.0.0.1:5478',
 *     token: '...',                       // the API token (docs/api.md: where to find it)
 *     stateEventListener: function (eventType, data) { ... },
 *   });
 *   phone.connect();                      // event WebSocket, reconnects by itself
 *   phone.call('0901234567').then(function (callId) { ... });
 *
 * Every command returns a Promise. A failed command rejects with a
 * RingdeskError: an Error whose .status is the HTTP status (0 when the server
 * could not be reached), .code the API's error code (e.g. "not_found",
 * "wrong_state", "network_error", "timeout") and .message the server's words.
 */
(function (root, factory) {
  'use strict';
  var api = factory();
  if (typeof module === 'object' && module && typeof module.exports === 'object') {
    module.exports = api.RingdeskClient;
    module.exports.RingdeskClient = api.RingdeskClient;
    module.exports.RingdeskError = api.RingdeskError;
    module.exports.EVENT_TYPES = api.EVENT_TYPES;
    module.exports.default = api.RingdeskClient;
  } else if (root) {
    root.RingdeskClient = api.RingdeskClient;
    root.RingdeskError = api.RingdeskError;
  }
})(typeof globalThis !== 'undefined' ? globalThis : typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  /**
   * Every event type the API sends, in the order API.md lists them.
   * @type {ReadonlyArray<string>}
   */
  var EVENT_TYPES = Object.freeze([
    'CONNECTED', 'DISCONNECTED', 'REGISTERED', 'UNREGISTERED', 'REGISTER_FAILED',
    'INCOMING_CALL', 'OUTGOING_CALL', 'PROGRESS', 'IN_CALL', 'HOLD', 'UNHOLD',
    'MUTE', 'UNMUTE', 'DTMF', 'TRANSFER', 'CALL_END', 'CALLER_INFO', 'HINT',
    'VOICEMAIL', 'PHONE_STATUS', 'ERROR', 'MIC_ERROR'
  ]);

  var DEFAULT_URL = 'http://127.0.0.1:5478';

  // Error codes for answers that carry no JSON error of their own.
  var STATUS_CODES = {
    400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found',
    405: 'method_not_allowed', 409: 'wrong_state', 422: 'invalid', 429: 'rate_limited',
    500: 'internal', 501: 'not_implemented', 503: 'unavailable'
  };

  /**
   * The error every failed command rejects with.
   * @class
   * @extends Error
   * @param {string} message what went wrong, in the server's words when it said
   * @param {number} status HTTP status; 0 when no answer came
   * @param {string} code the API's error code, e.g. "not_found"
   * @param {*} [body] the decoded answer, when there was one
   */
  function RingdeskError(message, status, code, body) {
    var err = new Error(message);
    Object.setPrototypeOf(err, RingdeskError.prototype);
    err.name = 'RingdeskError';
    /** @type {number} */
    err.status = status;
    /** @type {string} */
    err.code = code;
    /** @type {*} */
    err.body = body;
    return err;
  }
  RingdeskError.prototype = Object.create(Error.prototype, {
    constructor: { value: RingdeskError, writable: true, configurable: true }
  });
  RingdeskError.prototype.name = 'RingdeskError';

  function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }

  function requireId(name, value) {
    if (typeof value !== 'string' || value === '') {
      throw new RingdeskError(name + ' must be a non-empty string', 0, 'bad_request');
    }
    return encodeURIComponent(value);
  }

  function queryString(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v !== undefined && v !== null && v !== '') {
        parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(String(v)));
      }
    });
    return parts.length ? '?' + parts.join('&') : '';
  }

  /**
   * A client of one Ringdesk's local API.
   *
   * @class
   * @param {Object} [options]
   * @param {string} [options.url="http://127.0.0.1:5478"] the API's base URL
   * @param {string} options.token the API token (sent as a bearer token; on the
   *   event WebSocket as ?token=, since browsers cannot set its headers)
   * @param {function(string, Object):void} [options.stateEventListener] called
   *   with (eventType, event) for every event, eventType being one of
   *   {@link RingdeskClient.EVENT_TYPES} and event the whole JSON object
   *   ({type, time, account, call, cause, duration, digit, state, status,
   *   message, contact, ...})
   * @param {function(string, Object):void} [options.connectionListener] called
   *   with ("connecting"|"open"|"closed", {attempt, delay, code, reason}) as the
   *   event WebSocket comes and goes; "closed" carries {delay} when a retry
   *   is due, and {error} (a RingdeskError) when the API refused the token,
   *   which ends the retries. These are the client's own states, not
   *   phone events: CONNECTED/DISCONNECTED are the SIP server's, per account.
   * @param {boolean} [options.reconnect=true] reopen the event WebSocket after
   *   it closes, with exponential backoff
   * @param {number} [options.reconnectMinDelay=500] first backoff, milliseconds
   * @param {number} [options.reconnectMaxDelay=30000] longest backoff, milliseconds
   * @param {number} [options.timeout=15000] how long a command may take, milliseconds
   * @param {Function} [options.fetch] a fetch implementation (default: the global one)
   * @param {Function} [options.WebSocket] a WebSocket constructor (default: the global one)
   */
  function RingdeskClient(options) {
    if (!(this instanceof RingdeskClient)) {
      return new RingdeskClient(options);
    }
    options = options || {};
    this.url = String(options.url || DEFAULT_URL).replace(/\/+$/, '');
    this.token = options.token || '';
    this.stateEventListener = options.stateEventListener || null;
    this.connectionListener = options.connectionListener || null;
    this.reconnect = options.reconnect !== false;
    this.reconnectMinDelay = options.reconnectMinDelay > 0 ? options.reconnectMinDelay : 500;
    this.reconnectMaxDelay = options.reconnectMaxDelay > 0 ? options.reconnectMaxDelay : 30000;
    this.timeout = options.timeout > 0 ? options.timeout : 15000;
    this._fetch = options.fetch || (typeof fetch === 'function' ? fetch.bind(globalThisOf()) : null);
    this._WebSocket = options.WebSocket || (typeof WebSocket === 'function' ? WebSocket : null);
    this._listeners = {};
    this._ws = null;
    this._wanted = false; // connect() called and close() not since
    this._attempt = 0;
    this._timer = null;
    this._waiters = [];
  }

  function globalThisOf() {
    if (typeof globalThis !== 'undefined') return globalThis;
    if (typeof self !== 'undefined') return self;
    return undefined;
  }

  RingdeskClient.EVENT_TYPES = EVENT_TYPES;
  RingdeskClient.RingdeskError = RingdeskError;

  var proto = RingdeskClient.prototype;

  // ---- HTTP -----------------------------------------------------------

  /**
   * Sends one request to the API and decodes its JSON answer. Used by every
   * command; public for endpoints this client has no method for yet.
   * @param {string} method HTTP method
   * @param {string} path path under the base URL, e.g. "/v1/status"
   * @param {Object} [body] JSON body
   * @returns {Promise<*>} the decoded answer (null when it had no body)
   */
  proto.request = function (method, path, body) {
    var self = this;
    if (!self._fetch) {
      return Promise.reject(new RingdeskError('no fetch() here: pass options.fetch', 0, 'unsupported'));
    }
    var headers = { Accept: 'application/json' };
    if (self.token) headers.Authorization = 'Bearer ' + self.token;
    var init = { method: method, headers: headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    var controller = typeof AbortController === 'function' ? new AbortController() : null;
    var timedOut = false;
    var timer = null;
    if (controller) {
      init.signal = controller.signal;
      timer = setTimeout(function () {
        timedOut = true;
        controller.abort();
      }, self.timeout);
    }
    var done = function () {
      if (timer) clearTimeout(timer);
    };
    return Promise.resolve()
      .then(function () {
        return self._fetch(self.url + path, init);
      })
      .then(null, function (err) {
        done();
        if (timedOut) {
          throw new RingdeskError(method + ' ' + path + ': no answer within ' + self.timeout + ' ms', 0, 'timeout');
        }
        throw new RingdeskError('cannot reach Ringdesk at ' + self.url + ': ' + ((err && err.message) || err), 0, 'network_error');
      })
      .then(function (res) {
        return res.text().then(function (text) {
          done();
          return { res: res, text: text };
        }, function (err) {
          done();
          throw new RingdeskError(method + ' ' + path + ': reading the answer failed: ' + ((err && err.message) || err), res.status || 0, timedOut ? 'timeout' : 'network_error');
        });
      })
      .then(function (r) {
        var data = null;
        if (r.text) {
          try {
            data = JSON.parse(r.text);
          } catch (e) {
            data = undefined;
          }
        }
        if (!r.res.ok) {
          var e = isObject(data) && isObject(data.error) ? data.error : null;
          var code = (e && e.code) || STATUS_CODES[r.res.status] || 'http_' + r.res.status;
          var message = (e && e.message) || (r.text && data === undefined ? r.text.trim().slice(0, 200) : '') ||
            r.res.status + ' ' + (r.res.statusText || code);
          throw new RingdeskError(message, r.res.status, code, data === undefined ? r.text : data);
        }
        if (data === undefined) {
          throw new RingdeskError(method + ' ' + path + ': the answer is not JSON', r.res.status, 'bad_response', r.text);
        }
        return data;
      });
  };

  function callPath(callId, action) {
    return '/v1/calls/' + requireId('callId', callId) + (action ? '/' + action : '');
  }

  // Runs fn, turning a synchronous throw (bad argument) into a rejection.
  function promised(fn) {
    try {
      return Promise.resolve(fn());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // ---- calls ----------------------------------------------------------

  /**
   * Places a call.
   * @param {string} phone the number or extension to call; Ringdesk dials it
   *   through the account (an address with @ is refused, 422 "invalid")
   * @param {Object} [extraParam]
   * @param {string} [extraParam.account] the account to call from (default: the first)
   * @param {boolean} [extraParam.video] offer video
   * @param {Object<string,string>} [extraParam.headers] X- headers for the INVITE,
   *   e.g. {"X-Business-Id": "42"}
   * @param {Object<string,string>} [extraParam.data] data attached to the call,
   *   carried in its events
   * @returns {Promise<string>} the new call's id
   */
  proto.call = function (phone, extraParam) {
    var self = this;
    return promised(function () {
      if (typeof phone !== 'string' || phone.trim() === '') {
        throw new RingdeskError('phone must be a non-empty string', 0, 'bad_request');
      }
      var x = extraParam || {};
      var body = { to: phone.trim() };
      if (x.account) body.account = x.account;
      if (x.video !== undefined) body.video = !!x.video;
      if (x.headers) body.headers = x.headers;
      if (x.data) body.data = x.data;
      return self.request('POST', '/v1/calls', body).then(function (r) {
        return r && r.id;
      });
    });
  };

  /**
   * Answers a ringing incoming call.
   * @param {string} callId
   * @param {Object} [options]
   * @param {boolean} [options.video] answer with video
   * @returns {Promise<Object>} the call as it stands after the command
   */
  proto.answer = function (callId, options) {
    var self = this;
    return promised(function () {
      var body = {};
      if (options && options.video !== undefined) body.video = !!options.video;
      return self.request('POST', callPath(callId, 'answer'), body);
    });
  };

  /**
   * Ends a call: cancels it while it rings out, rejects it while it rings in
   * (486 Busy Here unless options.code says otherwise, e.g. 603 Decline), or
   * sends BYE once it is established.
   * @param {string} callId
   * @param {Object} [options]
   * @param {number} [options.code] the SIP code to reject a ringing call with
   * @returns {Promise<Object>} the call as it stands after the command
   */
  proto.hangup = function (callId, options) {
    var self = this;
    return promised(function () {
      var body = {};
      if (options && options.code) body.code = options.code;
      return self.request('POST', callPath(callId, 'hangup'), body);
    });
  };

  function simpleAction(action) {
    return function (callId) {
      var self = this;
      return promised(function () {
        return self.request('POST', callPath(callId, action), {});
      });
    };
  }

  /**
   * Puts a call on hold.
   * @function
   * @param {string} callId
   * @returns {Promise<Object>} the call as it stands after the command
   */
  proto.hold = simpleAction('hold');

  /**
   * Takes a call off hold.
   * @function
   * @param {string} callId
   * @returns {Promise<Object>} the call as it stands after the command
   */
  proto.unhold = simpleAction('unhold');

  /**
   * Mutes the microphone on a call.
   * @function
   * @param {string} callId
   * @returns {Promise<Object>} the call as it stands after the command
   */
  proto.mute = simpleAction('mute');

  /**
   * Unmutes the microphone on a call.
   * @function
   * @param {string} callId
   * @returns {Promise<Object>} the call as it stands after the command
   */
  proto.unmute = simpleAction('unmute');

  /**
   * Completes an attended transfer: the consulted party and the original
   * caller are connected and Ringdesk leaves both calls.
   * @function
   * @param {string} callId the original call (the one attendedTransfer was called on)
   * @returns {Promise<Object>} the call as it stands after the command
   */
  proto.completeTransfer = simpleAction('complete-transfer');

  /**
   * Abandons an attended transfer: the consultation call ends and the
   * original call stays on hold.
   * @function
   * @param {string} callId the original call
   * @returns {Promise<Object>} the call as it stands after the command
   */
  proto.cancelTransfer = simpleAction('cancel-transfer');

  /**
   * Blind transfer: asks the far end to call `to` instead (REFER). TRANSFER
   * events tell how it goes.
   * @param {string} callId
   * @param {string} to the number to transfer to
   * @returns {Promise<Object>} the call as it stands after the command
   */
  proto.transfer = function (callId, to) {
    var self = this;
    return promised(function () {
      return self.request('POST', callPath(callId, 'transfer'), { to: requiredText('to', to) });
    });
  };

  /**
   * Attended transfer: holds the call and places a consultation call to
   * `to`; then completeTransfer or cancelTransfer.
   * @param {string} callId
   * @param {string} to the number to consult
   * @returns {Promise<string>} the consultation call's id
   */
  proto.attendedTransfer = function (callId, to) {
    var self = this;
    return promised(function () {
      return self.request('POST', callPath(callId, 'attended-transfer'), { to: requiredText('to', to) }).then(function (r) {
        return r && r.id;
      });
    });
  };

  function requiredText(name, value) {
    if (typeof value !== 'string' || value.trim() === '') {
      throw new RingdeskError(name + ' must be a non-empty string', 0, 'bad_request');
    }
    return value.trim();
  }

  /**
   * Sends DTMF digits on a call (0-9, *, #, A-D).
   * @param {string} callId
   * @param {string} digits e.g. "123#"
   * @returns {Promise<Object>} the call as it stands after the command
   */
  proto.sendDtmf = function (callId, digits) {
    var self = this;
    return promised(function () {
      var d = String(digits === undefined || digits === null ? '' : digits);
      if (!/^[0-9*#A-Da-d]+$/.test(d)) {
        throw new RingdeskError('digits must be 0-9, *, # or A-D', 0, 'bad_request');
      }
      return self.request('POST', callPath(callId, 'dtmf'), { digits: d });
    });
  };

  /**
   * Attaches data to a call (merged with what it has); it travels in the
   * call's later events.
   * @param {string} callId
   * @param {Object<string,string>} data
   * @returns {Promise<Object>} the call as it stands after the command
   */
  proto.setData = function (callId, data) {
    var self = this;
    return promised(function () {
      if (!isObject(data)) {
        throw new RingdeskError('data must be an object', 0, 'bad_request');
      }
      return self.request('PUT', callPath(callId, 'data'), data);
    });
  };

  /**
   * The current calls, each shaped as the `call` of an event.
   * @returns {Promise<Array<Object>>}
   */
  proto.calls = function () {
    return this.request('GET', '/v1/calls').then(function (r) {
      if (Array.isArray(r)) return r;
      return (r && Array.isArray(r.calls) && r.calls) || [];
    });
  };

  // ---- accounts and phone ---------------------------------------------

  /**
   * Registers an account (again).
   * @param {string} account the account id
   * @returns {Promise<Object>} {account, state}
   */
  proto.register = function (account) {
    var self = this;
    return promised(function () {
      return self.request('POST', '/v1/accounts/' + requireId('account', account) + '/register', {});
    });
  };

  /**
   * Unregisters an account.
   * @param {string} account the account id
   * @returns {Promise<Object>} {account, state}
   */
  proto.unregister = function (account) {
    var self = this;
    return promised(function () {
      return self.request('POST', '/v1/accounts/' + requireId('account', account) + '/unregister', {});
    });
  };

  /**
   * The phone's status: accounts with their registration state and reason,
   * DND, forwards, version.
   * @returns {Promise<Object>}
   */
  proto.status = function () {
    return this.request('GET', '/v1/status');
  };

  /**
   * Turns Do Not Disturb on or off.
   * @param {boolean} enabled
   * @returns {Promise<Object>} {dnd}
   */
  proto.setDnd = function (enabled) {
    return this.request('PUT', '/v1/dnd', { enabled: !!enabled });
  };

  /**
   * Sets call forwarding: setForward({mode, to, enabled}) or
   * setForward(mode, to, enabled).
   * @param {(Object|string)} mode "unconditional", "busy" or "noanswer", or
   *   an object {mode, to, enabled}
   * @param {string} [to] where to forward
   * @param {boolean} [enabled=true]
   * @returns {Promise<Object>} the server's answer
   */
  proto.setForward = function (mode, to, enabled) {
    var body = isObject(mode) ? mode : { mode: mode, to: to, enabled: enabled === undefined ? true : !!enabled };
    return this.request('PUT', '/v1/forward', body);
  };

  /**
   * Replaces the list of numbers whose busy lamps (HINT events) are watched.
   * @param {Array<string>} numbers
   * @returns {Promise<Object>} the server's answer: {hints: [{number, status}]}
   */
  proto.setHints = function (numbers) {
    return this.request('PUT', '/v1/hints', { numbers: numbers || [] });
  };

  /**
   * The call history, newest first, a page at a time.
   * @param {Object} [options]
   * @param {number} [options.page=1]
   * @param {number} [options.pageSize=100]
   * @param {string} [options.keyword] filter on number or name
   * @returns {Promise<{docs: Array<Object>, totalDocs: number, limit: number, totalPages: number, page: number}>}
   */
  proto.history = function (options) {
    var o = options || {};
    return this.request('GET', '/v1/history' + queryString({ page: o.page, pageSize: o.pageSize, keyword: o.keyword }));
  };

  /**
   * Looks a number up in the CRM: the caller card Ringdesk's popup shows.
   * @param {string} number
   * @returns {Promise<Object>} {found, name, company, url, fields, ...}
   */
  proto.lookup = function (number) {
    var self = this;
    return promised(function () {
      return self.request('GET', '/v1/contacts/lookup' + queryString({ number: requiredText('number', number) }));
    });
  };

  /**
   * Asks Ringdesk to listen to the microphone for about a second. Resolves
   * to {ok: true, level, peak} in dBFS; a missing, busy or silent microphone
   * rejects with status 503 (code "unavailable") and the reason, which also
   * reaches every event listener as MIC_ERROR. A headless Ringdesk has no
   * microphone and answers 503 at once.
   * @returns {Promise<Object>}
   */
  proto.micCheck = function () {
    return this.request('POST', '/v1/mic-check', {});
  };

  // ---- events -----------------------------------------------------------

  /**
   * Adds a listener for one event type, or "*" for all of them, besides
   * options.stateEventListener.
   * @param {string} eventType e.g. "INCOMING_CALL", or "*"
   * @param {function(string, Object):void} listener called with (eventType, event)
   * @returns {function():void} removes the listener
   */
  proto.on = function (eventType, listener) {
    var list = this._listeners[eventType] || (this._listeners[eventType] = []);
    list.push(listener);
    return function () {
      var i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  };

  /**
   * The event WebSocket's address, token included (browsers cannot set
   * headers on a WebSocket).
   * @returns {string}
   */
  proto.eventsURL = function () {
    var base = this.url.replace(/^http(s?):\/\//i, function (_, s) {
      return 'ws' + s + '://';
    });
    return base + '/v1/events' + queryString({ token: this.token });
  };

  /**
   * Whether the event WebSocket is open.
   * @returns {boolean}
   */
  proto.isConnected = function () {
    return !!this._ws && this._ws.readyState === 1;
  };

  /**
   * Opens the event WebSocket. Ringdesk first sends PHONE_STATUS, one
   * registration event per account and one event per current call, then
   * every event as it happens. With options.reconnect (the default) a closed
   * or failed socket is reopened after a backoff that doubles from
   * reconnectMinDelay to reconnectMaxDelay, and starts over once a socket
   * opens.
   * @returns {Promise<void>} resolves when the socket is open; rejects when
   *   close() is called first, when the API refuses the token (401) or the
   *   page's origin (403), or when the first attempt fails and reconnect is
   *   off
   */
  proto.connect = function () {
    var self = this;
    if (!self._WebSocket) {
      return Promise.reject(new RingdeskError('no WebSocket here: pass options.WebSocket', 0, 'unsupported'));
    }
    if (self.isConnected()) return Promise.resolve();
    var p = new Promise(function (resolve, reject) {
      self._waiters.push({ resolve: resolve, reject: reject });
    });
    if (!self._wanted) {
      self._wanted = true;
      self._attempt = 0;
      self._open();
    }
    return p;
  };

  /**
   * Closes the event WebSocket and stops reconnecting.
   * @returns {void}
   */
  proto.close = function () {
    this._wanted = false;
    if (this._timer) {
      clearTimeout(this._timer);
      this._timer = null;
    }
    var ws = this._ws;
    this._ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(1000, 'client closed');
      } catch (e) { /* already closed */ }
      this._notifyConnection('closed', { code: 1000, reason: 'client closed' });
    }
    this._settleWaiters(new RingdeskError('the client was closed', 0, 'closed'));
  };

  function detach(ws) {
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
  }

  proto._settleWaiters = function (err) {
    var waiters = this._waiters;
    this._waiters = [];
    waiters.forEach(function (w) {
      if (err) w.reject(err);
      else w.resolve();
    });
  };

  proto._notifyConnection = function (state, info) {
    if (typeof this.connectionListener === 'function') {
      try {
        this.connectionListener(state, info || {});
      } catch (e) {
        reportListenerError(e);
      }
    }
  };

  function reportListenerError(e) {
    if (typeof console !== 'undefined' && console.error) {
      console.error('ringdesk-client: a listener threw', e);
    }
  }

  proto._open = function () {
    var self = this;
    self._timer = null;
    self._attempt++;
    self._notifyConnection('connecting', { attempt: self._attempt });
    var ws;
    try {
      ws = new self._WebSocket(self.eventsURL());
    } catch (e) {
      self._closed(null, 1006, (e && e.message) || String(e));
      return;
    }
    self._ws = ws;
    var opened = false;
    ws.onopen = function () {
      opened = true;
      self._attempt = 0;
      self._notifyConnection('open', {});
      self._settleWaiters(null);
    };
    ws.onmessage = function (msg) {
      self._message(msg && msg.data);
    };
    ws.onerror = function () {
      // onclose follows and decides.
    };
    ws.onclose = function (ev) {
      self._closed(ws, ev && ev.code, ev && ev.reason, opened);
    };
  };

  proto._closed = function (ws, code, reason, wasOpen) {
    if (ws) {
      if (ws !== this._ws) return; // a socket we already left
      detach(ws);
    }
    this._ws = null;
    if (!this._wanted) return;
    var self = this;
    var info = { code: code || 1006, reason: reason || '' };
    var next = function (fatal) {
      if (!self._wanted || self._ws || self._timer) return; // closed or reopened meanwhile
      if (fatal || !self.reconnect) {
        self._wanted = false;
        if (fatal) info.error = fatal;
        self._notifyConnection('closed', info);
        self._settleWaiters(wasOpen ? null : fatal || new RingdeskError('the event WebSocket closed (' + info.code + (info.reason ? ' ' + info.reason : '') + ')', 0, 'network_error'));
        return;
      }
      info.delay = self._backoff();
      info.attempt = self._attempt;
      self._notifyConnection('closed', info);
      self._timer = setTimeout(function () {
        self._timer = null;
        if (self._wanted) self._open();
      }, info.delay);
    };
    if (wasOpen || !self._fetch) {
      next(null);
      return;
    }
    // A browser does not tell why a WebSocket handshake failed. Ask once
    // over HTTP: a wrong token (401) or a refused origin (403) will not
    // mend by retrying, so it ends the attempts; anything else is retried.
    self.request('GET', '/v1/status').then(function () {
      next(null);
    }, function (err) {
      next(err.status === 401 || err.status === 403 ? err : null);
    });
  };

  // Exponential backoff with +-20 % jitter so that many pages do not
  // reconnect at the same instant after Ringdesk restarts.
  proto._backoff = function () {
    var n = Math.max(0, this._attempt - 1);
    var d = Math.min(this.reconnectMaxDelay, this.reconnectMinDelay * Math.pow(2, Math.min(n, 30)));
    var jitter = d * 0.2 * (Math.random() * 2 - 1);
    return Math.max(0, Math.round(Math.min(this.reconnectMaxDelay, d + jitter)));
  };

  proto._message = function (raw) {
    if (typeof raw !== 'string') return;
    var ev;
    try {
      ev = JSON.parse(raw);
    } catch (e) {
      return;
    }
    if (!isObject(ev) || typeof ev.type !== 'string') return;
    this._dispatch(ev.type, ev);
  };

  proto._dispatch = function (type, ev) {
    var targets = [];
    if (typeof this.stateEventListener === 'function') targets.push(this.stateEventListener);
    targets = targets.concat(this._listeners[type] || [], this._listeners['*'] || []);
    for (var i = 0; i < targets.length; i++) {
      try {
        targets[i].call(this, type, ev);
      } catch (e) {
        reportListenerError(e);
      }
    }
  };

  return { RingdeskClient: RingdeskClient, RingdeskError: RingdeskError, EVENT_TYPES: EVENT_TYPES };
});
