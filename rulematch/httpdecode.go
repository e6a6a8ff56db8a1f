package rulematch

// Undoing a response body's Content-Encoding layers (gzip, deflate) as
// libhtp does for file_data and http.response_body, with Go's compress
// packages. libhtp is lenient and so is this: each layer is recognised by
// its first bytes rather than by the name in the header (a "deflate" body
// may be zlib-wrapped or raw, a "gzip" one zlib), output up to a corrupt
// or missing trailer is kept, and a layer that does not decode at all is
// passed through as sent (libhtp's passthrough after its restarts fail).
// Output is capped, so a small compressed body cannot expand without
// bound.

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"
)

// bodyDecoder holds the readers and buffers reused from one body to the
// next: a decompressor allocates its window once, not per response.
type bodyDecoder struct {
	in   bytes.Reader
	gz   *gzip.Reader
	fl   io.ReadCloser // a flate reader, reset per use
	zl   io.ReadCloser // a zlib reader, reset per use
	bufs [2][]byte     // the output of alternate layers
}

// decode undoes layers encoding layers of body, each output capped at
// limit bytes, and returns the result (body itself when layers is 0 or
// nothing decodes). The result is valid until the next call.
func (d *bodyDecoder) decode(body []byte, layers, limit int) []byte {
	cur := body
	for i := range layers {
		out := d.layer(cur, d.bufs[i%2][:0], limit)
		if out == nil {
			break // passed through: further layers would too
		}
		d.bufs[i%2] = out
		cur = out
	}
	return cur
}

// layer decodes one layer of in into out: as gzip or zlib when in starts
// with their header (keeping the output before an error: a cut or corrupt
// trailer), else as raw deflate, which must then decode to its end (bytes
// that are not deflate at all may still give a few before the error, and
// libhtp would pass them through). nil when nothing decodes.
func (d *bodyDecoder) layer(in, out []byte, limit int) []byte {
	switch {
	case len(in) >= 2 && in[0] == 0x1f && in[1] == 0x8b:
		if got, _ := d.run('g', in, out, limit); len(got) > 0 {
			return got
		}
		// a header Go refuses (a wrong header CRC): zlib's restart in
		// libhtp inflates the deflate data after it anyway
		if k := gzipDataStart(in); k > 0 {
			if got, _ := d.run('r', in[k:], out[:0], limit); len(got) > 0 {
				return got
			}
		}
	case zlibHeader(in):
		if got, _ := d.run('z', in, out, limit); len(got) > 0 {
			return got
		}
	}
	if got, clean := d.run('r', in, out[:0], limit); len(got) > 0 && clean {
		return got
	}
	return nil
}

// zlibHeader reports whether b starts with a zlib header for deflate
// (RFC 1950: method 8, window at most 32 KiB, check bits).
func zlibHeader(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
}

// run decodes in with one method into out, keeping what came before any
// error, at most limit bytes; clean reports it ended at the stream's end
// or the limit, not at an error.
func (d *bodyDecoder) run(method byte, in, out []byte, limit int) (_ []byte, clean bool) {
	d.in.Reset(in)
	var r io.Reader
	switch method {
	case 'g':
		if d.gz == nil {
			gz, err := gzip.NewReader(&d.in)
			if err != nil {
				return out, false
			}
			d.gz = gz
		} else if err := d.gz.Reset(&d.in); err != nil {
			return out, false
		}
		// one member, as libhtp: what follows the first is not inflated
		d.gz.Multistream(false)
		r = d.gz
	case 'z':
		if d.zl == nil {
			zl, err := zlib.NewReader(&d.in)
			if err != nil {
				return out, false
			}
			d.zl = zl
		} else if err := d.zl.(zlib.Resetter).Reset(&d.in, nil); err != nil {
			return out, false
		}
		r = d.zl
	default:
		if d.fl == nil {
			d.fl = flate.NewReader(&d.in)
		} else if err := d.fl.(flate.Resetter).Reset(&d.in, nil); err != nil {
			return out, false
		}
		r = d.fl
	}
	return readCapped(r, out, limit)
}

// readCapped appends what r gives to out until EOF, an error or limit
// bytes in all; clean is false after an error.
func readCapped(r io.Reader, out []byte, limit int) (_ []byte, clean bool) {
	for len(out) < limit {
		if cap(out) == len(out) {
			out = append(out, 0)[:len(out)]
		}
		n, err := r.Read(out[len(out):min(cap(out), limit)])
		out = out[:len(out)+n]
		if err == io.EOF {
			return out, true
		}
		if err != nil {
			return out, false
		}
	}
	return out, true
}

// gzipDataStart returns where the deflate data of the gzip member in
// starts (RFC 1952: the fixed header, then the optional extra field, name,
// comment and header CRC its flags announce), or -1.
func gzipDataStart(in []byte) int {
	if len(in) < 10 {
		return -1
	}
	flg, k := in[3], 10
	if flg&0x04 != 0 { // FEXTRA
		if k+2 > len(in) {
			return -1
		}
		k += 2 + (int(in[k]) | int(in[k+1])<<8)
	}
	for _, bit := range [2]byte{0x08, 0x10} { // FNAME, FCOMMENT
		if flg&bit == 0 {
			continue
		}
		z := bytes.IndexByte(in[min(k, len(in)):], 0)
		if z < 0 {
			return -1
		}
		k += z + 1
	}
	if flg&0x02 != 0 { // FHCRC
		k += 2
	}
	if k >= len(in) {
		return -1
	}
	return k
}
