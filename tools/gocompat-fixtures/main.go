// Command gocompat-fixtures writes test/fixtures/gocompat.json: what Go's
// standard library answers for the inputs src/gocompat imitates —
// encoding/json (Marshal, MarshalIndent/Indent, Unmarshal acceptance and
// decoded values), time (RFC 3339 parse and format, MarshalJSON,
// UnmarshalJSON) and time.ParseDuration. The tests in test/unit/gocompat
// compare src/gocompat with these answers; CI never runs Go.
//
// Standard library only. Run from this directory:
//
//	cd tools/gocompat-fixtures && go run . > ../../test/fixtures/gocompat.json
//
// The fixture records the Go version that produced it (field "go"). Use Go
// 1.22 or later (the checked-in file comes from go1.23.5): older releases
// write \b and \f as \u0008 and \u000c and check time-zone offsets
// differently.
//
// Representing inputs:
//   - JavaScript strings are UTF-16 and Go strings are bytes. A string to
//     marshal is given as UTF-16 code units ("units"); Go builds its string
//     from them with each surrogate pair as one rune and each lone surrogate
//     as the single invalid byte 0xFF. That is the meaning src/gocompat gives
//     a lone surrogate: text that is not Unicode, written as \ufffd like Go
//     writes an invalid byte.
//   - JSON documents to decode are given as text ("in") when they are valid
//     UTF-8, else as hex ("inHex"); "nest" builds n nested arrays.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// ---------------------------------------------------------------------------
// Input helpers

// goString builds the Go string for UTF-16 code units (lone surrogate → 0xFF).
func goString(units []uint16) string {
	var b []byte
	for i := 0; i < len(units); i++ {
		u := rune(units[i])
		if utf16.IsSurrogate(u) {
			if u < 0xdc00 && i+1 < len(units) {
				if r := utf16.DecodeRune(u, rune(units[i+1])); r != utf8.RuneError {
					b = utf8.AppendRune(b, r)
					i++
					continue
				}
			}
			b = append(b, 0xff)
			continue
		}
		b = utf8.AppendRune(b, u)
	}
	return string(b)
}

// units gives the UTF-16 code units of a valid Go string, plus extra raw units.
func units(s string) []uint16 { return utf16.Encode([]rune(s)) }

func mustMarshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// doc is a JSON document to decode: text when valid UTF-8, hex otherwise.
type doc struct {
	In    *string `json:"in,omitempty"`
	InHex *string `json:"inHex,omitempty"`
	Nest  int     `json:"nest,omitempty"`
}

func docOf(b []byte) doc {
	if utf8.Valid(b) {
		s := string(b)
		return doc{In: &s}
	}
	h := hex.EncodeToString(b)
	return doc{InHex: &h}
}

func (d doc) bytes() []byte {
	switch {
	case d.Nest > 0:
		return []byte(strings.Repeat("[", d.Nest) + strings.Repeat("]", d.Nest))
	case d.InHex != nil:
		b, err := hex.DecodeString(*d.InHex)
		if err != nil {
			panic(err)
		}
		return b
	default:
		return []byte(*d.In)
	}
}

// ---------------------------------------------------------------------------
// json.Marshal of strings

type quoteCase struct {
	Units []uint16 `json:"units"`
	Out   string   `json:"out"`
}

func quoteCases() []quoteCase {
	var in [][]uint16
	// Every ASCII character alone, so each escaping rule is seen.
	for c := 0; c < 0x80; c++ {
		in = append(in, []uint16{uint16(c)})
	}
	for _, s := range []string{
		"", "plain text", `<a href="x">&amp;</a>`, "back\\slash", "quote\"d", "tab\there",
		"\b\f\n\r\t", "\x00\x01\x1f\x7f", "é ü ß", "日本語", "😀", "\u2028\u2029", "a\u2028b\u2029c",
		"\u0080\u009f\u00a0", "\ufeff", "\ufffd", "\uffff", "\U0010ffff", "/path/to/secret", "spiffe://example.org/x",
		"^spiffe://example\\.org/.*$", "<script>alert(1)</script>", "x & y > z < w",
	} {
		in = append(in, units(s))
	}
	// Lone surrogates, as a JavaScript string can hold them.
	in = append(in,
		[]uint16{0xd800},
		[]uint16{0xdc00},
		[]uint16{0xd800, 'x'},
		[]uint16{'x', 0xdfff},
		[]uint16{0xdbff, 0xdbff, 0xdc00},
		[]uint16{0xd83d, 0xde00, 0xd83d},
		[]uint16{0xdc00, 0xd800},
		[]uint16{'<', 0xd800, '>'},
	)
	out := make([]quoteCase, 0, len(in))
	for _, u := range in {
		out = append(out, quoteCase{Units: u, Out: mustMarshal(goString(u))})
	}
	return out
}

// ---------------------------------------------------------------------------
// Maps: key order

type mapCase struct {
	Keys [][]uint16 `json:"keys"` // value of key i is i
	Out  string     `json:"out"`
}

func mapCases() []mapCase {
	sets := [][]string{
		{},
		{"b", "a", "c"},
		{"b", "B", "a", "A", "_", "0", "~"},
		{"\uffff", "😀", "\U0010ffff", "\ufffd", "é", "z"},
		{"a", "aa", "a\x00", "ab", "a b"},
		{"10", "2", "1", "-1", "02"},
		{"<", ">", "&", "\u2028"},
		{"ſ", "s", "S", "K", "k"},
	}
	var out []mapCase
	for _, set := range sets {
		m := map[string]int{}
		keys := [][]uint16{}
		for i, k := range set {
			m[k] = i
			keys = append(keys, units(k))
		}
		out = append(out, mapCase{Keys: keys, Out: mustMarshal(m)})
	}
	// A lone surrogate key sorts as the byte 0xFF: after every valid key.
	lone := [][]uint16{{0xd800}, units("\U0010ffff"), units("a"), {'a', 0xdc00}}
	m := map[string]int{}
	for i, k := range lone {
		m[goString(k)] = i
	}
	out = append(out, mapCase{Keys: lone, Out: mustMarshal(m)})
	return out
}

type intMapCase struct {
	Keys []int64 `json:"keys"` // value of key k is the string of k
	Out  string  `json:"out"`
}

func intMapCases() []intMapCase {
	sets := [][]int64{{}, {2, 10, 1, 11}, {-1, 0, 1, -10, 9}, {100, 99, 1000, 101}, {9007199254740991, -9007199254740991, 5}}
	var out []intMapCase
	for _, set := range sets {
		m := map[int64]string{}
		for _, k := range set {
			m[k] = fmt.Sprint(k)
		}
		out = append(out, intMapCase{Keys: set, Out: mustMarshal(m)})
	}
	return out
}

// ---------------------------------------------------------------------------
// Bytes: [32]byte and []byte

type bytesCase struct {
	Hex *string `json:"hex"` // null: a nil slice / pointer
	Out string  `json:"out"`
}

func bytesCases() (arr []bytesCase, b64 []bytesCase) {
	var v [32]byte
	for i := range v {
		v[i] = byte(i * 37)
	}
	var ff [32]byte
	for i := range ff {
		ff[i] = 0xff
	}
	for _, a := range [][32]byte{{}, v, ff, {1, 10, 100, 255}} {
		h := hex.EncodeToString(a[:])
		a := a
		arr = append(arr, bytesCase{Hex: &h, Out: mustMarshal(&a)})
	}
	arr = append(arr, bytesCase{Hex: nil, Out: mustMarshal((*[32]byte)(nil))})

	for n := 0; n <= 10; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(0xfb + i*7)
		}
		h := hex.EncodeToString(b)
		b64 = append(b64, bytesCase{Hex: &h, Out: mustMarshal(b)})
	}
	b64 = append(b64, bytesCase{Hex: nil, Out: mustMarshal([]byte(nil))})
	return arr, b64
}

// ---------------------------------------------------------------------------
// json.Indent (MarshalIndent is Marshal followed by Indent)

type indentCase struct {
	Src    string `json:"src"`
	Prefix string `json:"prefix"`
	Indent string `json:"indent"`
	OK     bool   `json:"ok"`
	Out    string `json:"out,omitempty"`
}

func indentCases() []indentCase {
	type inner struct {
		A []int           `json:"a"`
		B map[string]any  `json:"b"`
		C []string        `json:"c"`
		D *string         `json:"d"`
		E map[string]bool `json:"e"`
	}
	values := []any{
		"just a string",
		42,
		nil,
		[]int{},
		map[string]int{},
		[]any{1, "two", nil, []int{}, map[string]int{}, []int{3}},
		map[string]any{"z": 1, "a": []string{"x", "y"}, "m": map[string]any{"k": "v", "e": []int{}}},
		inner{A: []int{1, 2}, B: map[string]any{"<": ">", "q": "a \"b\" c"}, C: nil},
		[]map[string]string{{"id": "", "name": "a"}, {"id": "", "name": "b"}},
		map[string]string{"key:with,punct": "[value] {x}", "\u2028": "\t"},
	}
	var srcs []string
	for _, v := range values {
		srcs = append(srcs, mustMarshal(v))
	}
	// Not compact: Indent drops leading and inner spacing, keeps trailing spacing.
	srcs = append(srcs, "  { \"a\" : [ 1 , 2 ] ,\n\t\"b\":{ } }  \n", " [ ] ", "\n\"s p a c e\"\t", "[1,2]\r\n")
	// Invalid: Indent fails.
	srcs = append(srcs, "", "{", "[1,]", "{\"a\":1}x", "{} {}", "[01]")

	combos := [][2]string{{"", "  "}, {"", "\t"}, {"", ""}, {">", "  "}, {"// ", "    "}}
	var out []indentCase
	for _, s := range srcs {
		for _, c := range combos {
			var buf bytes.Buffer
			err := json.Indent(&buf, []byte(s), c[0], c[1])
			ic := indentCase{Src: s, Prefix: c[0], Indent: c[1], OK: err == nil}
			if err == nil {
				ic.Out = buf.String()
			}
			out = append(out, ic)
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// json.Unmarshal: acceptance, and strings as decoded

type parseCase struct {
	doc
	OK bool `json:"ok"`
	// For a document that is one JSON string: the decoded Go string's bytes.
	StringHex *string `json:"stringHex,omitempty"`
}

func parseCases() []parseCase {
	var docs []doc
	for _, s := range []string{
		// accepted
		`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5e-3`, `1E+2`, `-12.0`, `"x"`, " \t\r\n{} \t\r\n",
		`{"a":1,"a":2}`, `{"":""}`, `[1,"a",null,true,{"b":[]}]`, `123456789012345678901234567890`,
		// refused
		``, ` `, `{`, `}`, `[1,]`, `{"a":1,}`, `{'a':1}`, `01`, `-`, `1.`, `.5`, `1e`, `+1`, `NaN`, `Infinity`,
		`{"a":1}x`, `{}{}`, `[] []`, "\ufeff{}", `tru`, `nul`, `True`, `{"a" 1}`, `{a:1}`, `["a"`, `"abc`,
		"\"\x01\"", "\"\x1f\"", "\"a\tb\"", `"\x"`, `"\u12"`, `"\u12G4"`, `"\'"`, `/**/{}`, `{}//`,
	} {
		s := s
		docs = append(docs, doc{In: &s})
	}
	// Strings: escapes, surrogates and invalid UTF-8 as Go decodes them.
	for _, raw := range [][]byte{
		[]byte(`"\"\\\/\b\f\n\r\t"`),
		[]byte(`"\u0041\u00e9\u20ac\uFFFF"`),
		[]byte(`"\ud83d\ude00"`),
		[]byte(`"\ud800"`),
		[]byte(`"\udc00"`),
		[]byte(`"\ud800x"`),
		[]byte(`"\ud800\u0041"`),
		[]byte(`"\ud800\ud800\udc00"`),
		[]byte(`"\udc00\ud800"`),
		[]byte(`"\ud800\n"`),
		[]byte(`"\u0000"`),
		[]byte("\"\x7f\""),
		[]byte("\"é😀\u2028\""),
		{'"', 0xff, '"'},
		{'"', 0x80, 'a', '"'},
		{'"', 0xc3, '"'},
		{'"', 0xc3, 0x28, '"'},
		{'"', 0xc0, 0xaf, '"'},             // overlong '/'
		{'"', 0xe0, 0x80, 0xaf, '"'},       // overlong
		{'"', 0xed, 0xa0, 0x80, '"'},       // UTF-8 of a surrogate
		{'"', 0xf0, 0x9f, 0x98, '"'},       // truncated 4-byte sequence
		{'"', 0xf0, 0x9f, 0x98, 'a', '"'},  // truncated, then ASCII
		{'"', 0xf4, 0x90, 0x80, 0x80, '"'}, // above U+10FFFF
		{'"', 0xf8, 0x88, 0x80, 0x80, 0x80, '"'},
		{'"', 0xef, 0xbf, 0xbd, '"'}, // a real U+FFFD
		{'"', 'a', 0xfe, 'b', 0xc2, 0xa9, '"'},
		{'{', '"', 0xff, '"', ':', '1', '}'}, // invalid byte in a key
		{0xff},                               // outside a string: refused
	} {
		docs = append(docs, docOf(raw))
	}
	docs = append(docs, doc{Nest: 1}, doc{Nest: 512}, doc{Nest: 10000}, doc{Nest: 10001})

	var out []parseCase
	for _, d := range docs {
		b := d.bytes()
		var v any
		err := json.Unmarshal(b, &v)
		pc := parseCase{doc: d, OK: err == nil}
		if s, isString := v.(string); err == nil && isString {
			h := hex.EncodeToString([]byte(s))
			pc.StringHex = &h
		}
		out = append(out, pc)
	}
	return out
}

// Sample is the struct the struct-decoding cases decode into; the test
// declares the same fields with src/gocompat's decoders.
type Sample struct {
	ID       int               `json:"id"`
	Name     string            `json:"name"`
	OK       bool              `json:"ok"`
	Version  uint8             `json:"version"`
	Shard    *[32]byte         `json:"shard"`
	Raw      []byte            `json:"raw"`
	Values   map[string]string `json:"values"`
	Shards   map[int]*[32]byte `json:"shards"`
	IDs      []int             `json:"ids"`
	Keys     []string          `json:"keys"`
	When     time.Time         `json:"when"`
	Deleted  *time.Time        `json:"deleted"`
	Inner    Inner             `json:"inner"`
	Sk       string            `json:"sk"`
	ErrField string            // no tag: the key is "ErrField"
}

type Inner struct {
	A int    `json:"a"`
	B string `json:"b"`
}

type unmarshalCase struct {
	doc
	OK bool `json:"ok"`
	// json.Marshal of the decoded Sample; null when Marshal fails (a time
	// Unmarshal accepts but Marshal refuses).
	Out *string `json:"out"`
}

func unmarshalCases() []unmarshalCase {
	s32 := func(elems string) string { return "[" + elems + strings.Repeat(",0", 31) + "]" }
	var docs []doc
	for _, s := range []string{
		`{}`, `null`, ` {} `, `[]`, `"x"`, `1`, `true`, ``, `{} x`, `{}{}`, `{"id":1,}`,
		// keys: exact, case-insensitive, Unicode folding, duplicates (last wins), unknown keys
		`{"id":5}`, `{"ID":5}`, `{"Id":5,"id":6}`, `{"id":6,"ID":5}`, `{"name":"a","NAME":"b","nAmE":"c"}`,
		`{"sk":"1"}`, `{"SK":"2"}`, "{\"\u017fk\":\"3\"}", "{\"s\u212a\":\"4\"}", "{\"\u017f\u212a\":\"5\"}", "{\"\u0130d\":7}",
		`{"ErrField":"e"}`, `{"errfield":"e"}`, `{"err_field":"e"}`, `{"unknown":[1,{"x":"y"}],"other":null}`,
		`{"id ":1}`, `{" id":1}`,
		// int
		`{"id":0}`, `{"id":-0}`, `{"id":-12}`, `{"id":1.0}`, `{"id":1e0}`, `{"id":1E2}`, `{"id":"1"}`, `{"id":true}`,
		`{"id":null}`, `{"id":5,"id":null}`, `{"id":9007199254740991}`, `{"id":-9007199254740991}`,
		`{"id":9007199254740993}`, `{"id":9223372036854775807}`, `{"id":9223372036854775808}`, `{"id":-9223372036854775809}`,
		`{"id":[]}`, `{"id":{}}`,
		// uint8
		`{"version":0}`, `{"version":255}`, `{"version":256}`, `{"version":-1}`, `{"version":1.0}`, `{"version":"1"}`,
		// string and bool
		`{"name":""}`, `{"name":null}`, `{"name":"a","name":null}`, `{"name":1}`, `{"name":["a"]}`, `{"name":"<&>\u2028"}`,
		`{"ok":true}`, `{"ok":false}`, `{"ok":"true"}`, `{"ok":1}`, `{"ok":null}`,
		// *[32]byte
		`{"shard":` + s32("1") + `}`, `{"shard":` + s32("255") + `}`, `{"shard":` + s32("256") + `}`, `{"shard":` + s32("-1") + `}`,
		`{"shard":` + s32("1.0") + `}`, `{"shard":` + s32("\"1\"") + `}`, `{"shard":` + s32("null") + `}`,
		`{"shard":[1,2,3]}`, `{"shard":[]}`, `{"shard":null}`, `{"shard":"AQID"}`, `{"shard":{}}`,
		`{"shard":[` + strings.Repeat("7,", 32) + `"extra",{"x":1},999]}`,
		`{"shard":[` + strings.Repeat("7,", 32) + `256]}`,
		`{"shard":` + s32("9") + `,"shard":[null,5]}`, `{"shard":[` + strings.Repeat("9,", 31) + `9],"shard":[1]}`, `{"shard":` + s32("9") + `,"shard":null}`,
		// []byte
		`{"raw":"AQID"}`, `{"raw":"AQI="}`, `{"raw":"AQ=="}`, `{"raw":"AQI"}`, `{"raw":"AQ="}`, `{"raw":"A"}`, `{"raw":""}`,
		`{"raw":"AR=="}`, `{"raw":"AQ\nID"}`, `{"raw":"AQ\r\nI D"}`, `{"raw":"AQID\n"}`, `{"raw":"A===" }`, `{"raw":"AQ-_"}`,
		`{"raw":"+/+/"}`, `{"raw":"AQID===="}`, `{"raw":[1,2,255]}`, `{"raw":[256]}`, `{"raw":[null,1]}`, `{"raw":[]}`,
		`{"raw":null}`, `{"raw":1}`, `{"raw":[1,2],"raw":[null]}`, `{"raw":"AQID","raw":[null,null]}`,
		// map[string]string
		`{"values":{"b":"1","a":"2"}}`, `{"values":{}}`, `{"values":null}`, `{"values":{"a":null}}`, `{"values":{"a":1}}`,
		`{"values":[]}`, `{"values":{"a":"1","a":"2"}}`, `{"values":{"a":"1"},"values":{"b":"2"}}`,
		`{"values":{"a":"1"},"values":null}`, `{"values":{"__proto__":"x","constructor":"y"}}`,
		// map[int]*[32]byte
		`{"shards":{"1":` + s32("1") + `,"2":null}}`, `{"shards":{"10":null,"9":null,"1":null}}`, `{"shards":{"+1":null}}`,
		`{"shards":{"01":null}}`, `{"shards":{"-1":null}}`, `{"shards":{"x":null}}`, `{"shards":{"1.0":null}}`,
		`{"shards":{" 1":null}}`, `{"shards":{"":null}}`, `{"shards":{"9223372036854775807":null}}`,
		`{"shards":{"9223372036854775808":null}}`, `{"shards":{"1":` + s32("1") + `,"1":null}}`,
		`{"shards":{"1":` + s32("1") + `,"01":` + s32("2") + `}}`, `{"shards":{"1":[1]},"shards":{"2":[2]}}`,
		`{"shards":{"1":"AQID"}}`, `{"shards":[]}`,
		// []int and []string
		`{"ids":[1,2,3]}`, `{"ids":[]}`, `{"ids":null}`, `{"ids":[null,2]}`, `{"ids":[1.5]}`, `{"ids":"1"}`,
		`{"ids":[1,2],"ids":[null]}`, `{"ids":[1,2,3],"ids":[]}`, `{"ids":[1],"ids":null}`,
		`{"keys":["a","b"]}`, `{"keys":[]}`, `{"keys":[null,"x"]}`, `{"keys":[1]}`, `{"keys":{}}`,
		// time.Time and *time.Time
		`{"when":"2025-01-15T14:30:45Z"}`, `{"when":"2025-01-15T14:30:45.123456789+02:00"}`, `{"when":"2025-01-15T14:30:45.1234567891234Z"}`,
		`{"when":"2025-13-15T14:30:45Z"}`, `{"when":"2025-02-30T14:30:45Z"}`, `{"when":"2025-01-15 14:30:45Z"}`, `{"when":"2025-01-15T14:30:45"}`,
		`{"when":"2025-01-15T1:30:45Z"}`, `{"when":"2025-01-15T14:30:45,5Z"}`, `{"when":"2025-01-15T14:30:45+24:00"}`,
		`{"when":"2025-01-15T14:30:45\u005a"}`, `{"when":"\u0032025-01-15T14:30:45Z"}`, `{"when":null}`, `{"when":""}`, `{"when":1}`,
		`{"when":"2025-01-15T14:30:45Z","when":null}`, `{"when":"0001-01-01T00:00:00Z"}`, `{"when":"9999-12-31T23:59:59.999999999Z"}`,
		`{"when":"2025-01-15T14:30:45+00:00"}`, `{"when":"2025-01-15T14:30:45-00:00"}`,
		`{"deleted":"2025-01-15T14:30:45Z"}`, `{"deleted":null}`, `{"deleted":"x"}`, `{"deleted":"2025-01-15T14:30:45Z","deleted":null}`,
		// nested struct
		`{"inner":{"a":1,"b":"x"}}`, `{"inner":{"A":1,"B":"x","c":3}}`, `{"inner":null}`, `{"inner":{"a":1},"inner":{"b":"y"}}`,
		`{"inner":{"a":1},"inner":null}`, `{"inner":[]}`, `{"inner":"x"}`, `{"inner":{"a":"1"}}`,
		// a type error does not stop Go from decoding the rest, but the call fails
		`{"id":"x","name":"kept?"}`,
	} {
		s := s
		docs = append(docs, doc{In: &s})
	}
	for _, raw := range [][]byte{
		{'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', 0xff, 'x', '"', '}'},
		{'{', '"', 'v', 'a', 'l', 'u', 'e', 's', '"', ':', '{', '"', 0xc3, '"', ':', '"', 0xed, 0xa0, 0x80, '"', '}', '}'},
	} {
		docs = append(docs, docOf(raw))
	}

	var out []unmarshalCase
	for _, d := range docs {
		var v Sample
		err := json.Unmarshal(d.bytes(), &v)
		uc := unmarshalCase{doc: d, OK: err == nil}
		if err == nil {
			if b, merr := json.Marshal(v); merr == nil {
				s := string(b)
				uc.Out = &s
			}
		}
		out = append(out, uc)
	}
	return out
}

// ---------------------------------------------------------------------------
// time

const (
	layoutMST    = "2006-01-02 15:04:05 MST"
	layoutSQLite = "2006-01-02 15:04:05.999999999-07:00" // mattn/go-sqlite3's write format
)

type timeCase struct {
	In     string `json:"in"`
	OK     bool   `json:"ok"`     // time.Parse(time.RFC3339, in)
	OKJSON bool   `json:"okJson"` // (*time.Time).UnmarshalJSON of the quoted input
	// When OK: the parsed time formatted again.
	Formats *formats `json:"formats,omitempty"`
}

type formats struct {
	RFC3339     string  `json:"rfc3339"`
	RFC3339Nano string  `json:"rfc3339Nano"`
	JSON        *string `json:"json"` // MarshalJSON; null when it fails
	MST         string  `json:"mst"`
	SQLite      string  `json:"sqlite"`
	IsZero      bool    `json:"isZero"`
}

func formatted(t time.Time) *formats {
	tc := &formats{}
	tc.RFC3339 = t.Format(time.RFC3339)
	tc.RFC3339Nano = t.Format(time.RFC3339Nano)
	if b, err := t.MarshalJSON(); err == nil {
		s := string(b)
		tc.JSON = &s
	}
	tc.MST = t.Format(layoutMST)
	tc.SQLite = t.Format(layoutSQLite)
	tc.IsZero = t.IsZero()
	return tc
}

func timeCases() []timeCase {
	inputs := []string{
		"2025-01-15T14:30:45Z", "2025-01-15T14:30:45.1Z", "2025-01-15T14:30:45.120000000Z", "2025-01-15T14:30:45.000Z",
		"2025-01-15T14:30:45.123456789Z", "2025-01-15T14:30:45.1234567890Z", "2025-01-15T14:30:45.123456789123Z",
		"2025-01-15T14:30:45.999999999999Z", "2025-01-15T14:30:45.000000000001Z", "2025-01-15T14:30:45.5+02:00",
		"2025-01-15T14:30:45+00:00", "2025-01-15T14:30:45-00:00", "2025-01-15T14:30:45-07:30", "2025-01-15T14:30:45+05:45",
		"2025-01-15T14:30:45+23:59", "2025-01-15T14:30:45+24:00", "2025-01-15T14:30:45+25:00", "2025-01-15T14:30:45+00:60",
		"2025-01-15T14:30:45+00:61", "2025-01-15T14:30:45+0100", "2025-01-15T14:30:45+01", "2025-01-15T14:30:45 +01:00",
		"0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000001Z", "0001-01-01T01:00:00+01:00", "0000-01-01T00:00:00Z",
		"9999-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z", "2024-02-29T00:00:00Z", "2025-02-29T00:00:00Z",
		"2000-02-29T12:00:00Z", "1900-02-29T12:00:00Z", "2025-02-30T00:00:00Z", "2025-04-31T00:00:00Z", "2025-12-31T23:59:59Z",
		"2025-13-01T00:00:00Z", "2025-00-01T00:00:00Z", "2025-01-32T00:00:00Z", "2025-01-00T00:00:00Z", "2025-01-15T24:00:00Z",
		"2025-01-15T23:60:00Z", "2025-01-15T23:59:60Z", "2025-01-15T1:30:45Z", "2025-01-15T01:3:45Z", "2025-01-15T14:30:45,5Z",
		"2025-01-15T14:30:45.Z", "2025-01-15T14:30:45.5", "2025-01-15T14:30:45", "2025-01-15 14:30:45Z", "2025-01-15t14:30:45Z",
		"2025-01-15T14:30:45z", "2025-1-15T14:30:45Z", "25-01-15T14:30:45Z", "+2025-01-15T14:30:45Z", "2025-01-15T14:30:45ZZ",
		"2025-01-15T14:30:45Z ", " 2025-01-15T14:30:45Z", "", "yesterday", "2025-01-15", "2025-01-15T14:30Z", "२०२५-01-15T14:30:45Z",
	}
	var out []timeCase
	for _, in := range inputs {
		tc := timeCase{In: in}
		t, err := time.Parse(time.RFC3339, in)
		tc.OK = err == nil
		var tj time.Time
		tc.OKJSON = tj.UnmarshalJSON([]byte(mustMarshal(in))) == nil
		if tc.OK {
			tc.Formats = formatted(t)
		}
		out = append(out, tc)
	}
	return out
}

type instantCase struct {
	UnixMilli int64    `json:"unixMilli"`
	Formats   *formats `json:"formats"`
}

// instantCases: times JavaScript holds as a Date (milliseconds), in UTC.
func instantCases() []instantCase {
	var out []instantCase
	for _, ms := range []int64{
		0, 1, 10, 100, 120, 999, 1000, 1736951445000, 1736951445120, -1, -1000, -62135596800000, -62135596799999,
		-62167219200000, -62167219200001, 253402300799999, 253402300800000, 8640000000000000, -8640000000000000,
	} {
		out = append(out, instantCase{UnixMilli: ms, Formats: formatted(time.UnixMilli(ms).UTC())})
	}
	return out
}

// ---------------------------------------------------------------------------
// time.ParseDuration

type durationCase struct {
	In string  `json:"in"`
	NS *string `json:"ns"` // null: refused
}

func durationCases() []durationCase {
	inputs := []string{
		// accepted
		"0", "+0", "-0", "0s", "1ns", "1us", "1µs", "1μs", "1ms", "1s", "1m", "1h", "1h2m3.5s", "1.s", "+5s", "-5s", ".5s",
		"1.5h", "2.5s", "500ms", "1m30s", "1h1h", "0.000000001s", "0.0000000001s", "1.0000000001s", "100ns", "1.5ns", "0.5ns",
		"3.9999999999ns", "-1.5h", "10000h", "2562047h", "2562047h47m16.854775807s", "-2562047h47m16.854775808s",
		"9223372036854775807ns", "-9223372036854775808ns", "9223372036854775.807us", "0.1h", "0.3333333333333333333h",
		"1.123456789123456789s", "00001s", "1e", "5s0", "1h-1m", "1h+1m", "01.50s", "1.h", "0h0m0s", "1_000s", "1 s", " 1s",
		"1s ", "1S", "1H", "1Ms", "1mss", "1sm", "1d", "1y", "1w", "1.5.5s", "..5s", ".s", "-.s", "+.5s", "-", "+", "",
		"1", "1.5", "s", "ms", "-s", "0x10s", "١s", "1µ", "1us1", "2562048h", "9223372036854775808ns", "-9223372036854775809ns",
		"9223372036854775807.5ns", "18446744073709551616ns", "99999999999999999999s", "1.99999999999999999999999s",
		"0.99999999999999999999999999999999999999999h", "3000000h", "106751d", "1h2m3s4ms5us6ns", "1ns1ns", "7.000000001s",
		"0.000001ms", "4.5m", "1h0.5m", "1.00000000000000000001h", "+-1s", "--1s", "1s-", "1,5s", "NaNs", "Infs", "1e3s",
		"15m0s", "72h", "168h", "30s", "-0s", "-0.0s", "0.0s", ".0s", "0.s",
	}
	var out []durationCase
	for _, in := range inputs {
		dc := durationCase{In: in}
		if d, err := time.ParseDuration(in); err == nil {
			s := fmt.Sprint(int64(d))
			dc.NS = &s
		}
		out = append(out, dc)
	}
	return out
}

// ---------------------------------------------------------------------------

func main() {
	// Local is UTC, so that a "+00:00" offset prints as UTC in the MST layout
	// (what the tests expect) whatever zone the generating machine is in.
	time.Local = time.UTC

	arr, b64 := bytesCases()
	sections := []struct {
		name  string
		cases any
	}{
		{"quote", quoteCases()},
		{"mapKeys", mapCases()},
		{"intMapKeys", intMapCases()},
		{"bytes32", arr},
		{"base64", b64},
		{"indent", indentCases()},
		{"parse", parseCases()},
		{"unmarshal", unmarshalCases()},
		{"time", timeCases()},
		{"timeInstant", instantCases()},
		{"duration", durationCases()},
	}
	// One case per line, so that a regenerated file diffs line by line.
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{\n  \"go\": %s", mustMarshal(runtime.Version()))
	for _, sec := range sections {
		fmt.Fprintf(&buf, ",\n  %s: [", mustMarshal(sec.name))
		v := reflect.ValueOf(sec.cases)
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				buf.WriteString(",")
			}
			buf.WriteString("\n    " + mustMarshal(v.Index(i).Interface()))
		}
		buf.WriteString("\n  ]")
	}
	buf.WriteString("\n}\n")
	if _, err := os.Stdout.Write(buf.Bytes()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
