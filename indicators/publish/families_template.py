"""The page for families' HTML (register/families.html), filled by families_page.py: plain
words, short sentences, headings in order, landmarks, tables with captions and headers."""

PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>How {{ page.authority }} uses your family's information</title>
<style>
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; max-width: 50rem;
       margin: 0 auto; padding: 1rem; line-height: 1.5; font-size: 1.1rem; }
h1 { font-size: 2rem; } h2 { font-size: 1.5rem; border-top: 2px solid #0b0c0c;
     padding-top: 1rem; margin-top: 2rem; } h3 { font-size: 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: 1rem; }
caption { text-align: left; font-weight: bold; padding: 0.5rem 0; }
th, td { border-bottom: 1px solid #b1b4b6; text-align: left; vertical-align: top;
         padding: 0.3rem 0.5rem; }
th { background: #f3f2f1; }
.key { border-left: 6px solid #1d70b8; padding: 0.5rem 1rem; background: #f3f2f1; }
a { color: #1d70b8; }
</style>
</head>
<body>
<header>
<p><a href="index.html">Indicator register</a> · <a href="information_map.html">Information
map</a></p>
</header>
<main>
<h1>How {{ page.authority }} uses your family's information</h1>
<p class="key">You have a right to know how information about you and your children is used.
This page says what we collect, why, who sees it, what we publish and how we keep every
child safe from being picked out. It was made on {{ generated }} from the same settings the
figures are made from.</p>
<nav aria-label="On this page"><ul>
<li><a href="#collect">What we collect and why</a></li>
<li><a href="#who-sees">Who sees it</a></li>
<li><a href="#published">What we publish</a></li>
<li><a href="#small-numbers">How small numbers are protected</a></li>
<li><a href="#quotes">Your words and your consent</a></li>
{% if words %}<li><a href="#words">Words you may see on this page</a></li>{% endif %}
<li><a href="#contact">Questions or worries</a></li>
</ul></nav>

<section aria-labelledby="collect">
<h2 id="collect">What we collect and why</h2>
<p>We bring together {{ page.sources | length }} kinds of information to see how children
and families are doing in each neighbourhood. We use them to count, not to judge any one
family. No name is ever kept.</p>
<table>
<caption>The information we use</caption>
<thead><tr><th scope="col">Information</th><th scope="col">Who holds it</th>
<th scope="col">Whose words it carries</th><th scope="col">What we keep about a person</th>
<th scope="col">What we use it for</th></tr></thead>
<tbody>
{% for source in page.sources %}<tr><th scope="row">{{ source.name }}</th>
<td>{{ source.owner }}</td><td>{{ source.voice }}</td>
<td>{% for line in source.kept %}{{ line }} {% endfor %}</td>
<td>{% if source.figures %}{{ source.figures }} published figure{{ "s" if source.figures != 1 }},
about: {{ source.about | join("; ") }}{% else %}Nothing published yet{% endif %}</td></tr>
{% endfor %}</tbody>
</table>
{% if page.not_used %}<p>The council holds {{ page.not_used | length }} other kinds of
information about children's early years and care that these figures do not use. The
<a href="information_map.html">information map</a> lists them all.</p>{% endif %}
</section>

<section aria-labelledby="who-sees">
<h2 id="who-sees">Who sees it</h2>
<p>The records themselves stay in the council's own database. The boards never get it:
they get only figures, counts and percentages of many children or families together.</p>
<table>
<caption>Who reads the figures</caption>
<thead><tr><th scope="col">Who</th><th scope="col">What they read</th>
<th scope="col">For which places</th><th scope="col">Figures in it</th></tr></thead>
<tbody>
{% for audience in page.audiences %}<tr><th scope="row">{{ audience.audience }}</th>
<td>{{ audience.title }}</td><td>{{ audience.places | join(" and ") }}</td>
<td>{{ audience.figures }}</td></tr>
{% endfor %}</tbody>
</table>
<p>Figures for the whole council area are also published as open data, for anyone to
read, protected in the same way.</p>
</section>

<section aria-labelledby="published">
<h2 id="published">What we publish</h2>
<p>These are all the figures we publish. Each one is a count or a share of many people,
never one person. The <a href="index.html">indicator register</a> says more about each.</p>
{% for domain, indicators in page.domains %}
<h3>{{ domain }}</h3>
<table>
<caption>{{ domain }}: the figures we publish</caption>
<thead><tr><th scope="col">Figure</th><th scope="col">What it means</th></tr></thead>
<tbody>
{% for indicator in indicators %}<tr><th scope="row">{{ indicator.title }}</th>
<td>{{ indicator.definition }}</td></tr>
{% endfor %}</tbody>
</table>
{% endfor %}
</section>

<section aria-labelledby="small-numbers">
<h2 id="small-numbers">How small numbers are protected</h2>
<p>A small number could point to a family. So we never publish a count of 1 to
{{ page.threshold - 1 }} children or people.</p>
<ul>
<li>Where a count is from 1 to {{ page.threshold - 1 }}, we show the letter c instead. So
that nobody can work it out by subtracting, we do the same when the people
<em>not</em> counted number fewer than {{ page.threshold }}.</li>
<li>A result from a survey answered by fewer than {{ page.min_respondents }} people is
also shown as c.</li>
<li>A count of 0 in a group that has people in it is below {{ page.threshold }}, so it is
shown as c too.</li>
<li>A group with nobody in it at all is shown as 0 of 0. It says nothing about anyone.
Sometimes it is shown as c instead, to protect another figure.</li>
<li>We also hide other figures when they could be added up or taken away to find a hidden
one. A computer checks every way the figures fit together, each time they are made.</li>
{% if page.round_to %}<li>Every count we publish is rounded to the nearest
{{ page.round_to }}.</li>{% else %}<li>Counts we publish are not rounded: the letter c
protects them.</li>{% endif %}
</ul>
</section>

<section aria-labelledby="quotes">
<h2 id="quotes">Your words and your consent</h2>
<p>When we ask for your views, we also ask what you agree to. If you leave a question about
consent blank, we take it as no. We never assume you agree.</p>
{% for source in page.consent %}
<h3>The {{ source.source }}</h3>
<p>We ask:</p>
<ul>{% for ask in source.asks %}<li>{{ ask }}.</li>{% endfor %}</ul>
{% endfor %}
<p>If you do not agree to your answers being used, we do not keep them. We only count how
many people said no, for the whole council area, so that we know how many people we did not
hear. How many families agree to each of these is itself published, as a sign of trust.</p>
<p>How we choose the words we quote:</p>
<ul>
<li>We quote only people who agreed to be quoted.</li>
<li>We take out names, postcodes, dates of birth, pupil numbers, phone numbers and e-mail
addresses. If we cannot be sure a quote is safe, we do not use it.</li>
<li>We never say who said it. A quote is labelled only with its topic, neighbourhood and
year.</li>
<li>We use survey quotes only from a neighbourhood where at least {{ page.min_respondents }}
people answered that year, and other words only from places with enough people behind
them.</li>
<li>If you ask for help, or tell us about harm, we never publish it. We pass it to a team who
can help.</li>
</ul>
</section>
{% if words %}<section aria-labelledby="words">
<h2 id="words">Words you may see on this page</h2>
<dl>
{% for word, meaning in words %}<dt>{{ word }}</dt><dd>{{ meaning }}</dd>
{% endfor %}</dl>
</section>{% endif %}
</main>
<footer>
<section aria-labelledby="contact">
<h2 id="contact">Questions or worries</h2>
{% if page.contacts %}<p>Ask {{ page.contacts.get("team", page.authority) }}. You can ask
what we hold about your family, or say you no longer agree.</p>
<dl>
{% for name, label in contact_labels.items() %}{% if name in page.contacts and name not in
("authority_name", "team") %}<dt>{{ label | capitalize }}</dt>
<dd>{{ page.contacts[name] }}</dd>
{% endif %}{% endfor %}
</dl>{% else %}<p>Ask your council's early years team. You can ask what they hold about
your family, or say you no longer agree.</p>{% endif %}
</section>
</footer>
</body>
</html>
"""
