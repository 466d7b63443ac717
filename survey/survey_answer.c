/* survey_answer.c - reading one answer cell: a number on the item's scale
 * (strtod, whole cell; no NaN, infinity, hex or overflow), a label of the
 * label set (also with a number in front, "5 - Strongly agree"), or a
 * "don't know" label (missing). Every refusal says why, with a hint for the
 * usual mistakes (a decimal comma, a hexadecimal number). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "survey/survey.h"
#include "survey/survey_int.h"

bool survey_decimal_comma(const char *s)
{
	size_t i = 0, d1 = 0, d2 = 0;

	if (s[i] == '+' || s[i] == '-')
		i++;
	for (; s[i] >= '0' && s[i] <= '9'; i++)
		d1++;
	if (s[i++] != ',')
		return false;
	for (; s[i] >= '0' && s[i] <= '9'; i++)
		d2++;
	return d1 && d2 && !s[i];
}

static bool non_finite_word(const char *s)
{
	static const char *const words[] = {"nan", "inf", "infinity"};

	if (*s == '+' || *s == '-')
		s++;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

static int parse_number(const char *s, double min, double max, double *out, char *why,
                        size_t whysize)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*end || end == s) {
		snprintf(why, whysize, "'%s' is not a number", s);
		return -1;
	}
	if (errno == ERANGE || !isfinite(v)) {
		snprintf(why, whysize, "'%s' is out of range", s);
		return -1;
	}
	/* "-0" is read as 0 and then judged against the scale like 0. */
	v += 0.0;
	if (v < min || v > max) {
		snprintf(why, whysize, "'%s' is off the item's scale %g..%g", s, min, max);
		return -1;
	}
	*out = v;
	return 1;
}

/* The value of a built-in agreement label on [min, max]: a scale of five
 * or seven whole points. 0 when the scale is neither. */
static int builtin_value(const struct label_match *m, double min, double max, double *out)
{
	if (min != floor(min))
		return 0;
	if (max - min == 4)
		*out = min + m->value - 1;
	else if (max - min == 6)
		*out = min + m->value7 - 1;
	else
		return 0;
	return 1;
}

static void unknown_label(const char *s, double min, double max, char *why, size_t whysize)
{
	if (survey_decimal_comma(s))
		snprintf(why, whysize,
		         "'%s' has a decimal comma; write numbers with a decimal point "
		         "(decimal commas are read in ';'-separated files: --delimiter ';')",
		         s);
	else if (non_finite_word(s))
		snprintf(why, whysize, "'%s' is not a finite number", s);
	else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		snprintf(why, whysize, "'%s': hexadecimal numbers are not read", s);
	else
		snprintf(why, whysize,
		         "'%s' is neither a number on the scale %g..%g nor a known label "
		         "(add labels with --labels)",
		         s, min, max);
}

/* "5 - Strongly agree", "(5) Strongly agree", "5. Strongly agree",
 * "5 = Strongly agree": the number in front (into *num) and the label
 * after it, or NULL when `s` has no such prefix. */
static const char *number_prefix(const char *s, int *num)
{
	const char *p = s;
	bool paren = *p == '(';
	int n = 0, digits = 0;

	p += paren;
	for (; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
		n = n * 10 + (*p - '0');
	if (!digits || (paren && *p++ != ')'))
		return NULL;
	if (!paren && !strchr(" -.=:)", *p))
		return NULL;
	while (*p && strchr(" -.=:)", *p))
		p++;
	if (!*p || (*p >= '0' && *p <= '9'))
		return NULL;
	*num = n;
	return p;
}

/* 1 with *out, 2 for a "don't know" label (missing), -1 with why. */
static int parse_label(const char *s, double min, double max, const labels *l, double *out,
                       char *why, size_t whysize)
{
	struct label_match m;
	const char *text = s;
	double v;
	int num = 0;

	if (!labels_match(l, text, &m) && (text = number_prefix(s, &num)) &&
	    !labels_match(l, text, &m)) {
		/* A numbered label of the survey's own: the number is the answer. */
		if (num >= min && num <= max) {
			*out = num;
			return 1;
		}
		text = NULL;
	}
	if (!text) {
		unknown_label(s, min, max, why, whysize);
		return -1;
	}
	if (m.origin == LABEL_MISSING)
		return 2;
	v = m.value;
	if (m.origin == LABEL_BUILTIN && !builtin_value(&m, min, max, &v)) {
		snprintf(why, whysize,
		         "'%s' is an agreement label of five- or seven-point scales, but the "
		         "item's scale is %g..%g",
		         s, min, max);
		return -1;
	}
	if (v < min || v > max) {
		snprintf(why, whysize, "label '%s' stands for %g, off the item's scale %g..%g", s,
		         v, min, max);
		return -1;
	}
	*out = v;
	return 1;
}

int survey_parse_answer(const char *cell, double min, double max, const labels *l, double *out,
                        char *why, size_t whysize)
{
	char buf[LABELS_MAX_LEN];
	size_t len;

	while (is_blank(*cell))
		cell++;
	len = strlen(cell);
	while (len && is_blank(cell[len - 1]))
		len--;
	if (!len)
		return 0;
	if (len >= sizeof(buf)) {
		snprintf(why, whysize, "a %zu-byte answer is neither a number nor a known label",
		         len);
		return -1;
	}
	memcpy(buf, cell, len);
	buf[len] = '\0';
	if (strspn(buf, "0123456789+-.eE") == len && strpbrk(buf, "0123456789"))
		return parse_number(buf, min, max, out, why, whysize);
	return parse_label(buf, min, max, l, out, why, whysize);
}
