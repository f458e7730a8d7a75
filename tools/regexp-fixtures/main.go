// Command regexp-fixtures writes test/fixtures/go-regexp.json: what Go's
// regexp package (the engine upstream SPIKE compiles policy patterns with)
// answers for a table of pattern × input. Nexus's policy patterns must give
// the same answers (test/unit/nexus/auth/pattern.test.ts).
//
// For every case it records whether regexp.Compile accepts the pattern (and
// Go's error text when it does not), MatchString on the input (unanchored,
// as upstream's CheckPolicyAccess), and the match of the full-match form
// "^(?:" + pattern + ")$" that upstream's reserved-path rule builds (null when
// that form does not compile).
//
// Standard library only. Run from the repository root:
//
//	go run tools/regexp-fixtures/main.go > test/fixtures/go-regexp.json
package main

import (
	"encoding/json"
	"os"
	"regexp"
	"runtime"
	"strings"
)

// A case is one pattern and the inputs to try. An input given in wire is a
// JSON string literal, decoded the way Go decodes a request body (a lone
// surrogate escape becomes U+FFFD); the fixture keeps the literal, so a
// JavaScript reader sees the string JSON.parse gives.
type tc struct {
	pattern string
	inputs  []string
	wire    []string
}

type record struct {
	Pattern string          `json:"pattern"`
	Input   json.RawMessage `json:"input,omitempty"`
	Matched *bool           `json:"matched,omitempty"`
	Full    *bool           `json:"full"`
	Error   string          `json:"error,omitempty"`
}

func in(s ...string) []string { return s }

var (
	longA = strings.Repeat("a", 5000)
	longX = strings.Repeat("x", 5000)
	nest  = func(n int) string { return strings.Repeat("(", n) + "a" + strings.Repeat(")", n) }
	cases = []tc{
		// Unanchored unless the pattern anchors (MatchString).
		{pattern: `app`, inputs: in("my/app/db", "my/ap/db")},
		{pattern: `^app`, inputs: in("my/app/db", "app/db")},
		{pattern: `^secrets/app/.*$`, inputs: in("secrets/app/db", "x/secrets/app/db", "secrets/app/")},
		{pattern: `db$`, inputs: in("a/db", "a/db\n", "a/dbx")},
		{pattern: `a{2,3}b\d\w\s?[^x]`, inputs: in("aab1_ y", "ab1_ y")},
		{pattern: `a|b`, inputs: in("b", "ab", "c")},
		{pattern: `.*`, inputs: in("", "spike/system/acl")},
		// Flags, also mid-pattern and scoped.
		{pattern: `^spiffe://spike\.ist/workload/(?i)APP$`, inputs: in("spiffe://spike.ist/workload/app", "spiffe://spike.ist/workload/ApP", "spiffe://SPIKE.ist/workload/app", "spiffe://spike.ist/workload/app2")},
		{pattern: `(?i:ab)c`, inputs: in("ABc", "ABC")},
		{pattern: `(?i)k`, inputs: in("\u212a", "K")},
		{pattern: `(?i)é`, inputs: in("É")},
		{pattern: `(?i)a(?-i)b`, inputs: in("Ab", "AB")},
		{pattern: `^a.b$`, inputs: in("a\nb", "a\rb")},
		{pattern: `(?s)^a.b$`, inputs: in("a\nb")},
		{pattern: `^b$`, inputs: in("a\nb\nc")},
		{pattern: `(?m)^b$`, inputs: in("a\nb\nc")},
		{pattern: `(?U)^a+`, inputs: in("aaa")},
		{pattern: `(?x)a`, inputs: in("a")},
		{pattern: `(?i`, inputs: in("a")},
		// End of text.
		{pattern: `a\z`, inputs: in("a", "a\n", "ba")},
		{pattern: `\Aa`, inputs: in("ab", "ba")},
		{pattern: `a\Z`, inputs: in("a")},
		// Named groups.
		{pattern: `^(?P<app>[a-z]+)/db$`, inputs: in("web/db", "Web/db")},
		{pattern: `(?P<n>a)(?P<n>b)`, inputs: in("ab")},
		{pattern: `(?P<a-b>x)`, inputs: in("x")},
		{pattern: `(?P<n>a)(?P=n)`, inputs: in("aa")},
		// Unicode classes.
		{pattern: `^\pL+$`, inputs: in("héllo", "h3llo")},
		{pattern: `^\PL$`, inputs: in("1", "a")},
		{pattern: `^\p{Greek}+$`, inputs: in("αβγ", "abc")},
		{pattern: `^\p{^Greek}$`, inputs: in("a", "α")},
		{pattern: `^\pN$`, inputs: in("٣")},
		{pattern: `^[\p{Lu}]$`, inputs: in("É", "é")},
		{pattern: `\p{Foo}`, inputs: in("a")},
		// POSIX classes.
		{pattern: `^[[:alpha:]]+$`, inputs: in("abc", "ab1", "é")},
		{pattern: `[[:^digit:]]`, inputs: in("1", "1a")},
		{pattern: `^[[:word:]]+$`, inputs: in("a_1", "a-1")},
		{pattern: `[[:foo:]]`, inputs: in("a")},
		{pattern: `[[:alpha:]`, inputs: in("a")},
		// Quoting.
		{pattern: `\Qa.b\E`, inputs: in("a.b", "axb")},
		{pattern: `^\Qa.b`, inputs: in("a.b", "a.bc")},
		{pattern: `^\Q*\E+$`, inputs: in("**", "*+")},
		{pattern: `\.\-\/\(\)`, inputs: in(`.-/()`)},
		// Perl classes and boundaries are ASCII in Go.
		{pattern: `^\w+$`, inputs: in("héllo", "hello_1")},
		{pattern: `^\d$`, inputs: in("٣", "3")},
		{pattern: `\bapp\b`, inputs: in("my app", "myapp", "é app")},
		{pattern: `\s`, inputs: in("\u00a0", "\t")},
		{pattern: `^[^a]$`, inputs: in("é", "a")},
		// Beyond the BMP: one rune, one character.
		{pattern: `^.$`, inputs: in("😀", "é"), wire: in(`"\ud800"`, `"\udc00\ud800"`)},
		{pattern: `^..$`, inputs: in("😀")},
		{pattern: `^\x{1F600}$`, inputs: in("😀")},
		{pattern: `^[😀-😂]$`, inputs: in("😁", "😃")},
		{pattern: `^.{2}$`, inputs: in("a😀")},
		{pattern: `^\x{FFFD}$`, inputs: in("\ufffd"), wire: in(`"\ud800"`)},
		{pattern: `^a.b$`, wire: in(`"a\udc00b"`)},
		// Escapes.
		{pattern: `^\x41\101\x{42}$`, inputs: in("AAB")},
		{pattern: `\0`, inputs: in("\x00")},
		{pattern: `\8`, inputs: in("8")},
		{pattern: `\cA`, inputs: in("\x01")},
		{pattern: `\e`, inputs: in("\x1b")},
		{pattern: `\h`, inputs: in(" ")},
		{pattern: `\R`, inputs: in("\n")},
		{pattern: `\K`, inputs: in("a")},
		{pattern: `\G`, inputs: in("a")},
		{pattern: `\C`, inputs: in("a")},
		{pattern: `\x{110000}`, inputs: in("a")},
		{pattern: `\xZZ`, inputs: in("a")},
		{pattern: `a\`, inputs: in("a")},
		// Classes and repetitions Go reads literally or refuses.
		{pattern: `^[]a]+$`, inputs: in("]a", "b")},
		{pattern: `^[^]a]$`, inputs: in("b", "]")},
		{pattern: `[z-a]`, inputs: in("a")},
		{pattern: `[a`, inputs: in("a")},
		{pattern: `^a{,5}$`, inputs: in("a{,5}", "aa")},
		{pattern: `^{$`, inputs: in("{")},
		{pattern: `a{1000}`, inputs: in("a")},
		{pattern: `a{1001}`, inputs: in("a")},
		{pattern: `a{3,2}`, inputs: in("aaa")},
		{pattern: `x{2}{3}`, inputs: in("xxxxxx")},
		{pattern: `a**`, inputs: in("a")},
		{pattern: `a++`, inputs: in("a")},
		{pattern: `a*+`, inputs: in("a")},
		{pattern: `*`, inputs: in("a")},
		{pattern: `*a`, inputs: in("a")},
		{pattern: `a|*`, inputs: in("a")},
		{pattern: `(`, inputs: in("a")},
		{pattern: `a)`, inputs: in("a")},
		{pattern: `(?:a`, inputs: in("a")},
		{pattern: `a|`, inputs: in("x")},
		{pattern: `()`, inputs: in("")},
		{pattern: `x*y*z*`, inputs: in("")},
		{pattern: `(?:a{30}){30}`, inputs: in(strings.Repeat("a", 900), strings.Repeat("a", 899))},
		{pattern: `(a{1000}){1000}`, inputs: in("a")},
		{pattern: `((a{1000}){1000}){1000}`, inputs: in("a")},
		{pattern: nest(999), inputs: in("a")},
		{pattern: nest(1000), inputs: in("a")},
		// Syntax from other engines that Go refuses.
		{pattern: `(?'n'a)`, inputs: in("a")},
		{pattern: `(?P>n)`, inputs: in("a")},
		{pattern: `\k<n>`, inputs: in("a")},
		{pattern: `(?|a)`, inputs: in("a")},
		{pattern: `(?J)a`, inputs: in("a")},
		{pattern: `(?-)a`, inputs: in("a")},
		{pattern: `(?P<>a)`, inputs: in("a")},
		{pattern: `(?P<n`, inputs: in("a")},
		{pattern: `\u0041`, inputs: in("A")},
		{pattern: `\o{101}`, inputs: in("A")},
		{pattern: `\N{DIGIT ONE}`, inputs: in("1")},
		{pattern: `\p{L&}`, inputs: in("a")},
		{pattern: `\p{Script=Greek}`, inputs: in("α")},
		{pattern: `[\d-z]`, inputs: in("-")},
		// More Go forms.
		{pattern: `(?im-s:^a.$)`, inputs: in("x\nA\n", "A\nb")},
		{pattern: `(?s:.)`, inputs: in("\n")},
		{pattern: `(?i)İ`, inputs: in("i", "İ")},
		{pattern: `(?i)ß`, inputs: in("ẞ", "ss")},
		{pattern: `^\p{Any}$`, inputs: in("😀", "\n")},
		{pattern: `[^\x00-\x{10FFFF}]`, inputs: in("a", "")},
		{pattern: `^a{0}b$`, inputs: in("b", "ab")},
		{pattern: `^(a){0,0}b$`, inputs: in("b")},
		{pattern: `\b`, inputs: in("😀", "😀a")},
		{pattern: `a$`, inputs: in("a\r\n", "a\r")},
		{pattern: `^$`, inputs: in("", "\n")},
		{pattern: `(?m)^$`, inputs: in("a\n")},
		{pattern: `^[[:^alpha:]]$`, inputs: in("1", "a")},
		{pattern: `^\pZ$`, inputs: in(" ", "\u3000", "\t")},
		{pattern: `^(?P<Name_1>x)(?P<n2>y)$`, inputs: in("xy")},
		{pattern: `^(?P<n>a)|(?P<n>b)$`, inputs: in("b", "c")},
		{pattern: `\Q(?P<n>a)(?P<n>b)\E`, inputs: in("(?P<n>a)(?P<n>b)", "ab")},
		{pattern: `[(?P<n>a)(?P<n>b)]`, inputs: in("?", "c")},
		{pattern: `\(?P<n>a)(?P<n>b)`, inputs: in("ab")},
		{pattern: `(?P<n>[)])(?P<n>b)`, inputs: in(")b")},
		{pattern: `(?P<n>[[:alpha:]])(?P<n>\))`, inputs: in("a)")},
		{pattern: `(?P<n>a)\Q(?P<n>b)`, inputs: in("a(?P<n>b)")},
		// Perl syntax RE2 refuses.
		{pattern: `(a)\1`, inputs: in("aa")},
		{pattern: `(?=a)`, inputs: in("a")},
		{pattern: `(?!a)`, inputs: in("a")},
		{pattern: `(?<=a)b`, inputs: in("ab")},
		{pattern: `(?<!a)b`, inputs: in("b")},
		{pattern: `(?#c)a`, inputs: in("a")},
		{pattern: `(?>a)`, inputs: in("a")},
		// Adversarial for backtracking engines: RE2 answers in linear time.
		{pattern: `(a*)*b`, inputs: in(longA, longA+"b")},
		{pattern: `(a+)+z`, inputs: in(longA)},
		{pattern: `(a|a)*z`, inputs: in(longA)},
		{pattern: `(.*)*z`, inputs: in(longA)},
		{pattern: `.*.*.*.*z`, inputs: in(longA)},
		{pattern: `a*a*a*a*a*z`, inputs: in(longA)},
		{pattern: `(x+x+)+y`, inputs: in(longX)},
		{pattern: `^(a|aa)+$`, inputs: in(longA[1:] + "b")},
		{pattern: `^(\w+\s?)*$`, inputs: in(strings.Repeat("word ", 1000) + "!")},
	}
)

func matchOf(re *regexp.Regexp, s string) *bool {
	m := re.MatchString(s)
	return &m
}

func main() {
	var out []record
	for _, c := range cases {
		var full *regexp.Regexp
		if f, err := regexp.Compile("^(?:" + c.pattern + ")$"); err == nil {
			full = f
		}
		re, err := regexp.Compile(c.pattern)
		if err != nil {
			out = append(out, record{Pattern: c.pattern, Error: err.Error()})
			continue
		}
		add := func(s string, literal json.RawMessage) {
			r := record{Pattern: c.pattern, Input: literal, Matched: matchOf(re, s)}
			if full != nil {
				r.Full = matchOf(full, s)
			}
			out = append(out, r)
		}
		for _, s := range c.inputs {
			literal, mErr := json.Marshal(s)
			if mErr != nil {
				panic(mErr)
			}
			add(s, literal)
		}
		for _, w := range c.wire {
			var s string
			if uErr := json.Unmarshal([]byte(w), &s); uErr != nil {
				panic(uErr)
			}
			add(s, json.RawMessage(w))
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	doc := struct {
		Generator string   `json:"generator"`
		Go        string   `json:"go"`
		Cases     []record `json:"cases"`
	}{"tools/regexp-fixtures/main.go", runtime.Version(), out}
	if err := enc.Encode(doc); err != nil {
		panic(err)
	}
}
