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
	"reflect"
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
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Position(data, te.Offset, TypeError(te))
		}
		if strings.HasPrefix(err.Error(), "json: unknown field ") {
			if off, ok := unknownKeyOffset(data, v); ok {
				return Position(data, off, err)
			}
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

// unknownKeyOffset finds where an unknown key sits by walking data's tokens
// alongside v's type, so a key that is valid elsewhere in the file (an
// "alerts" copied into the wrong object) is placed where it is wrong.
func unknownKeyOffset(data []byte, v any) (int64, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(t reflect.Type) (int64, bool)
	walk = func(t reflect.Type) (int64, bool) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		tok, err := dec.Token()
		if err != nil {
			return 0, false
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				start := dec.InputOffset()
				keyTok, err := dec.Token()
				if err != nil {
					return 0, false
				}
				key, _ := keyTok.(string)
				var ft reflect.Type
				switch t.Kind() {
				case reflect.Struct:
					f, ok := fieldByJSONName(t, key)
					if !ok {
						return start + int64(len(data[start:])-len(bytes.TrimLeft(data[start:], " \t\r\n,"))), true
					}
					ft = f
				case reflect.Map:
					ft = t.Elem()
				default:
					ft = reflect.TypeFor[any]()
				}
				if off, found := walk(ft); found {
					return off, true
				}
			}
			_, _ = dec.Token() // }
		case json.Delim('['):
			elem := reflect.TypeFor[any]()
			if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
				elem = t.Elem()
			}
			for dec.More() {
				if off, found := walk(elem); found {
					return off, true
				}
			}
			_, _ = dec.Token() // ]
		}
		return 0, false
	}
	return walk(reflect.TypeOf(v))
}

// fieldByJSONName finds the struct field a JSON key decodes into,
// including fields of embedded structs.
func fieldByJSONName(t reflect.Type, key string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if inner, ok := fieldByJSONName(ft, key); ok {
					return inner, true
				}
			}
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if strings.EqualFold(name, key) {
			return f.Type, true
		}
	}
	return nil, false
}

// KeyOffset returns the offset of the n-th (0-based) occurrence of "key":
// as an object key, for placing errors found after decoding.
func KeyOffset(data []byte, key string, n int) int64 {
	needle := []byte(`"` + key + `"`)
	off := 0
	for {
		i := bytes.Index(data[off:], needle)
		if i < 0 {
			return -1
		}
		at := off + i
		rest := bytes.TrimLeft(data[at+len(needle):], " \t\r\n")
		if len(rest) > 0 && rest[0] == ':' {
			if n == 0 {
				return int64(at)
			}
			n--
		}
		off = at + len(needle)
	}
}

// TypeError words a value of the wrong type in the file's own terms: the
// key's dotted path as written in the file and the kind of JSON value it
// wants, not the Go struct and field names encoding/json gives.
func TypeError(te *json.UnmarshalTypeError) error {
	var keys []string
	for k := range strings.SplitSeq(te.Field, ".") {
		// an embedded struct contributes its Go name; keys are lower case
		if k != "" && (k[0] < 'A' || k[0] > 'Z') {
			keys = append(keys, k)
		}
	}
	what := fmt.Sprintf("want %s, got %s", kindOf(te.Type), article(te.Value))
	if len(keys) == 0 {
		return errors.New(what)
	}
	return fmt.Errorf("%s: %s", strings.Join(keys, "."), what)
}

// kindOf names the JSON value a Go type is decoded from.
func kindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a string"
}

// article puts "a" or "an" before encoding/json's name of what it found
// ("string", "number", "array", "object", "bool").
func article(v string) string {
	switch v {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "bool":
		return "true or false"
	}
	if n, ok := strings.CutPrefix(v, "number "); ok { // "number -1": out of the type's range
		return n
	}
	return "a " + v
}
