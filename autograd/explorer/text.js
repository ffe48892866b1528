/* Numbers and names as the explorer writes them: as the pictures (4 significant digits) and as
   grad_table and the step captions (6). Part of the explorer's script (see page.py's SCRIPTS). */

  const NAME_WIDTH = 32; // a longer name is cut in the middle, as in the pictures

  function formatG(x, precision) {
    if (x === null || x === undefined || Number.isNaN(x)) return "?";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    if (x === 0) return "0";
    const [mantissa, exponent] = x.toExponential(precision - 1).split("e");
    const e = Number(exponent);
    let text;
    if (e < -4 || e >= precision) {
      text = `${stripZeros(mantissa)}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    } else {
      text = stripZeros(x.toFixed(precision - 1 - e));
    }
    return text === "-0" ? "0" : text;
  }
  function stripZeros(text) {
    return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
  }
  const short = (x) => formatG(x, 4); // as the pictures show numbers
  const number = (x) => formatG(x, 6); // as grad_table and the step captions show them
  const term = (x) => (x >= 0 ? short(x) : `(${short(x)})`);
  const quoted = (name) => (/^[\w.#]+$/u.test(name) ? name : `“${name}”`);

  function cut(name) {
    if (name.length <= NAME_WIDTH) return name;
    const half = Math.floor((NAME_WIDTH - 3) / 2);
    return `${name.slice(0, half)} … ${name.slice(-half)}`;
  }
