using BadgeIssuer.JsonLd.Processing;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Tests.Rdf;

public class RdfConverterTests
{
    private const string RdfNs = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private const string XsdNs = "http://www.w3.org/2001/XMLSchema#";
    private const string RdfType = "<" + RdfNs + "type>";
    private const string RdfFirst = "<" + RdfNs + "first>";
    private const string RdfRest = "<" + RdfNs + "rest>";
    private const string RdfNil = "<" + RdfNs + "nil>";

    private static readonly JsonLdOptions s_default = new();

    private static List<string> Convert(string expandedJson, JsonLdOptions? options = null)
        => ExpandedInput.Format(RdfConverter.ToRdf(ExpandedInput.Parse(expandedJson), options ?? s_default));

    private static void AssertQuads(string expandedJson, string[] expected, JsonLdOptions? options = null)
        => Convert(expandedJson, options).Should().Equal(expected);

    private static RdfTerm SingleObject(string valueObjectJson, JsonLdOptions? options = null)
    {
        RdfDataset dataset = RdfConverter.ToRdf(
            ExpandedInput.Parse("""[{"@id": "http://ex/s", "http://ex/p": [""" + valueObjectJson + "]}]"),
            options ?? s_default);
        return dataset.Quads.Should().ContainSingle().Which.Object;
    }

    // ---- Node map generation: blank node relabelling, merging, graphs -------------------------------------------

    [Fact]
    public void Blank_nodes_are_relabelled_in_document_order_types_first_then_id_then_sorted_properties()
    {
        AssertQuads(
            """
            [{
              "@id": "_:x",
              "@type": ["_:t"],
              "http://ex/p": [{"@id": "_:y"}],
              "http://ex/a": [{"http://ex/q": [{"@value": "v"}]}]
            }]
            """,
            [
                "_:b1 " + RdfType + " _:b0",
                "_:b1 <http://ex/a> _:b2",
                "_:b1 <http://ex/p> _:b3",
                "_:b2 <http://ex/q> \"v\"",
            ]);
    }

    [Fact]
    public void The_same_blank_node_identifier_maps_to_the_same_new_label()
    {
        AssertQuads(
            """
            [
              {"@id": "_:z", "http://ex/knows": [{"@id": "_:y"}]},
              {"@id": "_:y", "http://ex/knows": [{"@id": "_:z"}], "@type": ["_:z"]}
            ]
            """,
            [
                "_:b0 <http://ex/knows> _:b1",
                "_:b1 " + RdfType + " _:b0",
                "_:b1 <http://ex/knows> _:b0",
            ]);
    }

    [Fact]
    public void Nodes_sharing_an_id_are_merged_and_duplicate_values_dropped()
    {
        AssertQuads(
            """
            [
              {"@id": "http://ex/s", "http://ex/p": [{"@value": "a"}]},
              {"@id": "http://ex/s", "http://ex/p": [{"@value": "a"}, {"@value": "b"}], "http://ex/o": [{"@id": "_:n"}, {"@id": "_:n"}]},
              {"@id": "_:n", "http://ex/p": [{"@value": "c"}]}
            ]
            """,
            [
                "_:b0 <http://ex/p> \"c\"",
                "<http://ex/s> <http://ex/o> _:b0",
                "<http://ex/s> <http://ex/p> \"a\"",
                "<http://ex/s> <http://ex/p> \"b\"",
            ]);
    }

    [Fact]
    public void Named_graphs_are_emitted_after_the_default_graph_in_graph_name_order()
    {
        AssertQuads(
            """
            [{
              "@id": "http://ex/g",
              "http://ex/label": [{"@value": "G"}],
              "@graph": [
                {"@id": "http://ex/s", "http://ex/p": [{"@id": "http://ex/o"}]},
                {"http://ex/p": [{"@value": "anon"}]}
              ]
            }]
            """,
            [
                "<http://ex/g> <http://ex/label> \"G\"",
                "_:b0 <http://ex/p> \"anon\" <http://ex/g>",
                "<http://ex/s> <http://ex/p> <http://ex/o> <http://ex/g>",
            ]);
    }

    [Fact]
    public void Blank_node_graph_names_are_relabelled_like_any_other_blank_node()
    {
        AssertQuads(
            """
            [
              {"@graph": [{"@id": "http://ex/s", "http://ex/p": [{"@value": "x"}]}]},
              {"@id": "_:g", "@graph": [{"@id": "_:a", "http://ex/p": [{"@id": "_:g"}]}]}
            ]
            """,
            [
                "<http://ex/s> <http://ex/p> \"x\" _:b0",
                "_:b2 <http://ex/p> _:b1 _:b1",
            ]);
    }

    [Fact]
    public void Reverse_properties_make_the_referenced_nodes_subjects()
    {
        AssertQuads(
            """
            [{
              "@id": "http://ex/s",
              "@reverse": {
                "http://ex/knows": [
                  {"@id": "http://ex/o", "http://ex/name": [{"@value": "O"}]},
                  {"http://ex/name": [{"@value": "anon"}]}
                ]
              }
            }]
            """,
            [
                "_:b0 <http://ex/knows> <http://ex/s>",
                "_:b0 <http://ex/name> \"anon\"",
                "<http://ex/o> <http://ex/knows> <http://ex/s>",
                "<http://ex/o> <http://ex/name> \"O\"",
            ]);
    }

    [Fact]
    public void Included_nodes_are_added_to_the_active_graph()
    {
        AssertQuads(
            """
            [{
              "@id": "http://ex/s",
              "http://ex/p": [{"@value": "x"}],
              "@included": [{"@id": "http://ex/i", "http://ex/p": [{"@value": "y"}]}]
            }]
            """,
            [
                "<http://ex/i> <http://ex/p> \"y\"",
                "<http://ex/s> <http://ex/p> \"x\"",
            ]);
    }

    [Fact]
    public void Free_floating_nodes_and_empty_properties_produce_no_quads()
    {
        Convert("""[{"@id": "http://ex/s"}, {"http://ex/p": []}, {"@id": "http://ex/t", "@index": "i"}]""").Should().BeEmpty();
    }

    [Fact]
    public void Conflicting_indexes_throw()
    {
        var ex = FluentActions.Invoking(() => Convert(
            """
            [
              {"@id": "http://ex/s", "@index": "a", "http://ex/p": [{"@value": "x"}]},
              {"@id": "http://ex/t", "http://ex/p": [{"@id": "http://ex/s", "@index": "b"}]}
            ]
            """)).Should().ThrowExactly<JsonLdException>().Which;
        ex.Code.Should().Be(JsonLdErrorCode.ConflictingIndexes);
        ex.SpecCode.Should().Be("conflicting indexes");
    }

    [Fact]
    public void Equal_indexes_on_the_same_node_do_not_conflict()
    {
        AssertQuads(
            """[{"@id": "http://ex/s", "@index": "a"}, {"@id": "http://ex/s", "@index": "a", "http://ex/p": [{"@value": "x"}]}]""",
            ["<http://ex/s> <http://ex/p> \"x\""]);
    }

    // ---- Lists ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Lists_become_rdf_collections_and_empty_lists_rdf_nil()
    {
        AssertQuads(
            """
            [{
              "@id": "http://ex/s",
              "http://ex/p": [{"@list": [{"@value": 1}, {"@id": "http://ex/o"}, {"@value": "x"}, {"@value": "x"}]}],
              "http://ex/q": [{"@list": []}]
            }]
            """,
            [
                "<http://ex/s> <http://ex/p> _:b0",
                "_:b0 " + RdfFirst + " \"1\"^^<" + XsdNs + "integer>",
                "_:b0 " + RdfRest + " _:b1",
                "_:b1 " + RdfFirst + " <http://ex/o>",
                "_:b1 " + RdfRest + " _:b2",
                "_:b2 " + RdfFirst + " \"x\"",
                "_:b2 " + RdfRest + " _:b3",
                "_:b3 " + RdfFirst + " \"x\"",
                "_:b3 " + RdfRest + " " + RdfNil,
                "<http://ex/s> <http://ex/q> " + RdfNil,
            ]);
    }

    [Fact]
    public void Nested_lists_in_a_named_graph_label_outer_nodes_before_inner_ones()
    {
        AssertQuads(
            """
            [{
              "@id": "http://ex/g",
              "@graph": [{
                "@id": "http://ex/s",
                "http://ex/p": [{"@list": [{"@list": [{"@value": "a"}]}, {"@value": "b"}, {"@list": []}]}]
              }]
            }]
            """,
            [
                "<http://ex/s> <http://ex/p> _:b0 <http://ex/g>",
                "_:b0 " + RdfFirst + " _:b3 <http://ex/g>",
                "_:b0 " + RdfRest + " _:b1 <http://ex/g>",
                "_:b3 " + RdfFirst + " \"a\" <http://ex/g>",
                "_:b3 " + RdfRest + " " + RdfNil + " <http://ex/g>",
                "_:b1 " + RdfFirst + " \"b\" <http://ex/g>",
                "_:b1 " + RdfRest + " _:b2 <http://ex/g>",
                "_:b2 " + RdfFirst + " " + RdfNil + " <http://ex/g>",
                "_:b2 " + RdfRest + " " + RdfNil + " <http://ex/g>",
            ]);
    }

    [Fact]
    public void Node_objects_in_lists_are_labelled_during_node_map_generation()
    {
        AssertQuads(
            """[{"@id": "http://ex/s", "http://ex/p": [{"@list": [{"http://ex/q": [{"@value": "v"}]}, {"@id": "relative"}]}]}]""",
            [
                "_:b0 <http://ex/q> \"v\"",
                "<http://ex/s> <http://ex/p> _:b1",
                "_:b1 " + RdfFirst + " _:b0",
                "_:b1 " + RdfRest + " _:b2",
                "_:b2 " + RdfRest + " " + RdfNil,
            ]);
    }

    // ---- Literals ------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("""{"@value": true}""", "\"true\"^^<" + XsdNs + "boolean>")]
    [InlineData("""{"@value": false}""", "\"false\"^^<" + XsdNs + "boolean>")]
    [InlineData("""{"@value": true, "@type": "http://ex/custom"}""", "\"true\"^^<http://ex/custom>")]
    [InlineData("""{"@value": 5}""", "\"5\"^^<" + XsdNs + "integer>")]
    [InlineData("""{"@value": -12}""", "\"-12\"^^<" + XsdNs + "integer>")]
    [InlineData("""{"@value": -0.0}""", "\"0\"^^<" + XsdNs + "integer>")]
    [InlineData("""{"@value": 1e20}""", "\"100000000000000000000\"^^<" + XsdNs + "integer>")]
    [InlineData("""{"@value": 123456789012345680000}""", "\"123456789012345683968\"^^<" + XsdNs + "integer>")]
    [InlineData("""{"@value": 5, "@type": "http://ex/custom"}""", "\"5\"^^<http://ex/custom>")]
    [InlineData("""{"@value": 9.9, "@type": "http://www.w3.org/2001/XMLSchema#integer"}""", "\"9.9E0\"^^<" + XsdNs + "integer>")]
    [InlineData("""{"@value": 5.3}""", "\"5.3E0\"^^<" + XsdNs + "double>")]
    [InlineData("""{"@value": 1.1}""", "\"1.1E0\"^^<" + XsdNs + "double>")]
    [InlineData("""{"@value": -2.5}""", "\"-2.5E0\"^^<" + XsdNs + "double>")]
    [InlineData("""{"@value": 0.30000000000000004}""", "\"3.0E-1\"^^<" + XsdNs + "double>")]
    [InlineData("""{"@value": 1e-7}""", "\"1.0E-7\"^^<" + XsdNs + "double>")]
    [InlineData("""{"@value": 1e21}""", "\"1.0E21\"^^<" + XsdNs + "double>")]
    [InlineData("""{"@value": -1e21}""", "\"-1.0E21\"^^<" + XsdNs + "double>")]
    [InlineData("""{"@value": 53, "@type": "http://www.w3.org/2001/XMLSchema#double"}""", "\"5.3E1\"^^<" + XsdNs + "double>")]
    [InlineData("""{"@value": 1, "@type": "http://www.w3.org/2001/XMLSchema#double"}""", "\"1.0E0\"^^<" + XsdNs + "double>")]
    [InlineData("""{"@value": 0, "@type": "http://www.w3.org/2001/XMLSchema#double"}""", "\"0.0E0\"^^<" + XsdNs + "double>")]
    [InlineData("""{"@value": "5.3", "@type": "http://www.w3.org/2001/XMLSchema#double"}""", "\"5.3\"^^<" + XsdNs + "double>")]
    [InlineData("""{"@value": "2024-01-01T00:00:00Z", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}""", "\"2024-01-01T00:00:00Z\"^^<" + XsdNs + "dateTime>")]
    [InlineData("""{"@value": "plain"}""", "\"plain\"")]
    [InlineData("""{"@value": "line\nbreak \"quoted\""}""", "\"line\\nbreak \\\"quoted\\\"\"")]
    [InlineData("""{"@value": "hallo", "@language": "de"}""", "\"hallo\"@de")]
    [InlineData("""{"@value": "color", "@language": "en-US"}""", "\"color\"@en-US")]
    [InlineData("""{"@value": "x", "@direction": "rtl"}""", "\"x\"")]
    [InlineData("""{"@value": "x", "@language": "ar-EG", "@direction": "rtl"}""", "\"x\"@ar-EG")]
    [InlineData("""{"@value": "x", "@index": "ignored"}""", "\"x\"")]
    public void Value_objects_become_literals(string valueObject, string expected)
    {
        RdfTerm literal = SingleObject(valueObject);
        ExpandedInput.FormatTerm(literal).Should().Be(expected);
    }

    [Fact]
    public void Literal_terms_carry_datatype_and_language()
    {
        RdfTerm lang = SingleObject("""{"@value": "hallo", "@language": "de"}""");
        lang.Should().Be(new RdfTerm(RdfTermKind.Literal, "hallo", RdfTerm.RdfLangString, "de"));
        RdfTerm plain = SingleObject("""{"@value": "x"}""");
        plain.Should().Be(RdfTerm.Literal("x"));
    }

    [Fact]
    public void Duplicate_literals_are_merged_but_distinct_datatypes_are_not()
    {
        AssertQuads(
            """
            [{"@id": "http://ex/s", "http://ex/p": [
              {"@value": 1}, {"@value": 1.0}, {"@value": 1, "@type": "http://www.w3.org/2001/XMLSchema#double"}, {"@value": "1"}
            ]}]
            """,
            [
                "<http://ex/s> <http://ex/p> \"1\"^^<" + XsdNs + "integer>",
                "<http://ex/s> <http://ex/p> \"1.0E0\"^^<" + XsdNs + "double>",
                "<http://ex/s> <http://ex/p> \"1\"",
            ]);
    }

    // ---- Base direction ------------------------------------------------------------------------------------------

    [Fact]
    public void I18n_datatype_direction_uses_the_lower_cased_language()
    {
        var options = new JsonLdOptions { RdfDirection = RdfDirection.I18nDatatype };
        AssertQuads(
            """
            [{"@id": "http://ex/s", "http://example.org/label": [
              {"@value": "no language", "@direction": "rtl"},
              {"@value": "en-US", "@language": "en-US", "@direction": "ltr"},
              {"@value": "no direction", "@language": "en-US"}
            ]}]
            """,
            [
                "<http://ex/s> <http://example.org/label> \"no language\"^^<https://www.w3.org/ns/i18n#_rtl>",
                "<http://ex/s> <http://example.org/label> \"en-US\"^^<https://www.w3.org/ns/i18n#en-us_ltr>",
                "<http://ex/s> <http://example.org/label> \"no direction\"@en-US",
            ],
            options);
    }

    [Fact]
    public void Compound_literal_direction_creates_a_blank_node_with_value_language_and_direction()
    {
        var options = new JsonLdOptions { RdfDirection = RdfDirection.CompoundLiteral };
        AssertQuads(
            """
            [{"http://example.org/label": [
              {"@value": "en-US", "@language": "en-US", "@direction": "rtl"},
              {"@value": "no language", "@direction": "ltr"}
            ]}]
            """,
            [
                "_:b0 <http://example.org/label> _:b1",
                "_:b1 <" + RdfNs + "value> \"en-US\"",
                "_:b1 <" + RdfNs + "language> \"en-us\"",
                "_:b1 <" + RdfNs + "direction> \"rtl\"",
                "_:b0 <http://example.org/label> _:b2",
                "_:b2 <" + RdfNs + "value> \"no language\"",
                "_:b2 <" + RdfNs + "direction> \"ltr\"",
            ],
            options);
    }

    // ---- JSON literals (JCS, RFC 8785) ---------------------------------------------------------------------------

    [Theory]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("null", "null")]
    [InlineData("1.23", "1.23")]
    [InlineData("0.0e0", "0")]
    [InlineData("-0", "0")]
    [InlineData("42", "42")]
    [InlineData("\"string\"", "\"string\"")]
    [InlineData("[]", "[]")]
    [InlineData("{}", "{}")]
    [InlineData("""{"b": [1, {"d": 1e30, "c": "x"}], "a": null}""", """{"a":null,"b":[1,{"c":"x","d":1e+30}]}""")]
    [InlineData("""[1e+30, 4.50, 2e-3, 1e-7, 0.000001, 1e21, 1e-27, 333333333.33333329, 9007199254740992]""", "[1e+30,4.5,0.002,1e-7,0.000001,1e+21,1e-27,333333333.3333333,9007199254740992]")]
    [InlineData("""{"@context": "ex:not:a:context", "test": 1}""", """{"@context":"ex:not:a:context","test":1}""")]
    public void Json_literals_use_the_json_canonicalization_scheme(string json, string expected)
    {
        RdfTerm literal = SingleObject("""{"@type": "@json", "@value": """ + json + "}");
        literal.Kind.Should().Be(RdfTermKind.Literal);
        literal.Datatype.Should().Be(RdfNs + "JSON");
        literal.Language.Should().BeNull();
        literal.Value.Should().Be(expected);
    }

    [Fact]
    public void Json_literal_strings_are_escaped_minimally()
    {
        // W3C toRdf js12.
        RdfTerm literal = SingleObject(
            """
            {"@type": "@json", "@value": {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }}
            """);
        literal.Value.Should().Be("""{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""");
    }

    [Fact]
    public void Json_literal_members_are_sorted_by_utf16_code_units()
    {
        // W3C toRdf js13.
        RdfTerm literal = SingleObject(
            """
            {"@type": "@json", "@value": {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\u000a": "Newline",
              "1": "One",
              "\u0080": "Control\u007f",
              "\ud83d\ude02": "Smiley",
              "\u00f6": "Latin Small Letter O With Diaeresis",
              "</script>": "Browser Challenge",
              "\ufb01": "Ligature fi (sorts after the surrogate pair)"
            }}
            """);
        literal.Value.Should().Be("{\"\\n\":\"Newline\",\"\\r\":\"Carriage Return\",\"1\":\"One\",\"</script>\":\"Browser Challenge\","
            + "\"\u0080\":\"Control\u007f\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\","
            + "\"\ud83d\ude02\":\"Smiley\",\"\ufb01\":\"Ligature fi (sorts after the surrogate pair)\"}");
    }

    [Fact]
    public void Identical_json_literals_are_merged()
    {
        AssertQuads(
            """
            [{"@id": "http://ex/s", "http://ex/p": [
              {"@type": "@json", "@value": {"a": 1, "b": 2}},
              {"@type": "@json", "@value": {"a": 1, "b": 2}},
              {"@type": "@json", "@value": {"b": 2, "a": 1}}
            ]}]
            """,
            [
                "<http://ex/s> <http://ex/p> \"{\\\"a\\\":1,\\\"b\\\":2}\"^^<" + RdfNs + "JSON>",
            ]);
    }

    // ---- Well-formedness: relative IRIs, invalid language tags, generalized RDF ----------------------------------

    [Fact]
    public void Relative_and_malformed_iris_and_invalid_language_tags_are_dropped()
    {
        AssertQuads(
            """
            [
              {"@id": "relative", "http://ex/p": [{"@value": "dropped"}]},
              {
                "@id": "http://ex/s",
                "@type": ["http://ex/T", "relative-class", "http://ex/in valid"],
                "relative-prop": [{"@value": "dropped"}],
                "http://ex/p": [
                  {"@id": "relative-object"},
                  {"@id": "http://ex/o"},
                  {"@id": "http://ex/baz z"},
                  {"@value": "v", "@type": "relative-type"},
                  {"@value": "v", "@type": "_:blank-datatype"},
                  {"@value": "bad", "@language": "a b"},
                  {"@list": [{"@id": "relative-in-list"}]}
                ]
              },
              {"@id": "rel-graph", "@graph": [{"@id": "http://ex/s2", "http://ex/p": [{"@value": "x"}]}]},
              {"@id": "http://example.com/invalid gn", "@graph": [{"@id": "http://ex/s3", "http://ex/p": [{"@value": "x"}]}]},
              {"@id": "http://ex/a b", "http://ex/p": [{"@value": "x"}]},
              {"@id": "http://ex/s4", "http://ex/a b": [{"@value": "x"}]}
            ]
            """,
            [
                "<http://ex/s> " + RdfType + " <http://ex/T>",
                "<http://ex/s> <http://ex/p> <http://ex/o>",
                "<http://ex/s> <http://ex/p> _:b1",
                "_:b1 " + RdfRest + " " + RdfNil,
            ]);
    }

    [Fact]
    public void Blank_node_predicates_need_generalized_rdf()
    {
        const string Input = """[{"@id": "http://ex/s", "_:p": [{"@value": "x"}], "http://ex/q": [{"@id": "_:o"}]}]""";
        AssertQuads(Input, ["<http://ex/s> <http://ex/q> _:b1"]);
        AssertQuads(
            Input,
            [
                "<http://ex/s> _:b0 \"x\"",
                "<http://ex/s> <http://ex/q> _:b1",
            ],
            new JsonLdOptions { ProduceGeneralizedRdf = true });
    }

    [Theory]
    [InlineData("http://ex/x", true)]
    [InlineData("urn:uuid:0b8a4f9e-5b8e-4d9d-9e3c-1f0e0a1b2c3d", true)]
    [InlineData("did:example:123#key-1", true)]
    [InlineData("a+b.c-d:x", true)]
    [InlineData("mailto:", true)]
    [InlineData("relative", false)]
    [InlineData("/absolute/path", false)]
    [InlineData("#fragment", false)]
    [InlineData(":x", false)]
    [InlineData("1http://ex", false)]
    [InlineData("ht_tp://ex", false)]
    [InlineData("http://ex/a b", false)]
    [InlineData("http://ex/<x>", false)]
    [InlineData("http://ex/{x}", false)]
    [InlineData("_:b0", false)]
    public void Well_formed_iris_have_a_scheme_and_no_forbidden_characters(string iri, bool expected)
    {
        RdfConverter.IsWellFormedIri(iri).Should().Be(expected);
    }

    [Theory]
    [InlineData("en", true)]
    [InlineData("en-US", true)]
    [InlineData("zh-Hant-TW", true)]
    [InlineData("x-private1", true)]
    [InlineData("a b", false)]
    [InlineData("", false)]
    [InlineData("en-", false)]
    [InlineData("-en", false)]
    [InlineData("1en", false)]
    [InlineData("toolongtag", false)]
    public void Language_tags_are_checked_for_well_formedness(string tag, bool expected)
    {
        RdfConverter.IsWellFormedLanguageTag(tag).Should().Be(expected);
    }
}
