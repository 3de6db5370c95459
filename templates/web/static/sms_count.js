// The SMS segment counter of core/rules/sms.py, in JavaScript, for live counting while staff
// type. A test runs both on the same strings: change one, change the other.
//
// GSM 03.38: a basic character takes one septet, an extension character two (escape + char).
// Any other character switches the whole message to UCS-2, counted in UTF-16 units (an emoji
// outside the BMP counts two). One segment: 160 septets or 70 units; split: 153 or 67 per part,
// an escape sequence or a surrogate pair never split between two parts.
(function (root) {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "^{}\\[~]|€\f";
  var SINGLE = { "GSM-7": 160, "UCS-2": 70 };
  var PART = { "GSM-7": 153, "UCS-2": 67 };

  function parts(units, size) {
    var count = 1, used = 0;
    for (var i = 0; i < units.length; i++) {
      if (used + units[i] > size) { count += 1; used = 0; }
      used += units[i];
    }
    return count;
  }

  function smsSegments(text) {
    var chars = Array.from(text);  // code points, as Python iterates a str
    var unsupported = [];
    chars.forEach(function (c) {
      if (BASIC.indexOf(c) < 0 && EXTENSION.indexOf(c) < 0 && unsupported.indexOf(c) < 0) {
        unsupported.push(c);
      }
    });
    var encoding = unsupported.length ? "UCS-2" : "GSM-7";
    var units = chars.map(function (c) {
      if (encoding === "GSM-7") { return EXTENSION.indexOf(c) >= 0 ? 2 : 1; }
      return c.codePointAt(0) > 0xFFFF ? 2 : 1;
    });
    var length = units.reduce(function (a, b) { return a + b; }, 0);
    var segments = length === 0 ? 0 : length <= SINGLE[encoding] ? 1 : parts(units, PART[encoding]);
    return {
      encoding: encoding,
      length: length,
      segments: segments,
      unsupported: unsupported,
      perSegment: segments <= 1 ? SINGLE[encoding] : PART[encoding]
    };
  }

  root.smsSegments = smsSegments;
})(window);
