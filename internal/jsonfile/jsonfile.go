// Package jsonfile decodes the project's hand-edited JSON files (configs,
// signature packs, expectations) strictly: one object, no unknown keys,
// nothing after it, and every error placed at a line and column.
package jsonfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Decode fills v from data. Errors read "line L col C: what".
func Decode(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("file is empty; want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Position(data, int64(len(data)), errors.New("the file ends inside the JSON object"))
		}
		return Position(data, dec.InputOffset(), err)
	}
	if dec.More() {
		return Position(data, dec.InputOffset(), errors.New("more data after the JSON object"))
	}
	return nil
}

// Position adds "line L col C: " to err: the error's own offset for syntax
// and type errors, the key's first occurrence for unknown keys, else
// fallback (where the decoder stopped).
func Position(data []byte, fallback int64, err error) error {
	off := fallback
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset - 1 // Offset counts the offending byte
	case errors.As(err, &te):
		off = te.Offset
	default:
		// the decoder reads a whole value before it finds an unknown key
		if key, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			if i := bytes.Index(data, []byte(key)); i >= 0 {
				off = int64(i)
			}
		}
	}
	line, col := 1, 1
	for _, b := range data[:min(int(max(off, 0)), len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d col %d: %s", line, col, strings.TrimPrefix(err.Error(), "json: "))
}
