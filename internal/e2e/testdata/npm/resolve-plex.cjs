// Name resolution for the third-party client test, the in-process form of
// an /etc/hosts line: plex.tv and every name under it resolve to
// $MOCKPLEX_PLEX_TV_IP; every other name resolves as usual. Loaded with
// `node --require`, it changes nothing in the client's code.
'use strict';
const dns = require('node:dns');
const ip = process.env.MOCKPLEX_PLEX_TV_IP;
if (!ip) throw new Error('resolve-plex.cjs: set MOCKPLEX_PLEX_TV_IP to the address plex.tv should resolve to');
const lookup = dns.lookup;
const isPlex = (name) => {
  const h = String(name).toLowerCase().replace(/\.$/, '');
  return h === 'plex.tv' || h.endsWith('.plex.tv');
};
dns.lookup = function (hostname, options, callback) {
  if (typeof options === 'function') [callback, options] = [options, {}];
  if (typeof options === 'number') options = { family: options };
  if (!isPlex(hostname)) return lookup.call(this, hostname, options, callback);
  if (options && options.all) process.nextTick(callback, null, [{ address: ip, family: 4 }]);
  else process.nextTick(callback, null, ip, 4);
};
