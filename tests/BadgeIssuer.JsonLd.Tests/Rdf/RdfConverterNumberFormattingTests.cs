using BadgeIssuer.JsonLd.Processing;

namespace BadgeIssuer.JsonLd.Tests.Rdf;

/// <summary>
/// Number formatting used by toRdf. Expected values were produced with JavaScript (Node.js):
/// <c>x.toExponential(15).replace(/(\d)0*e\+?/, '$1E')</c> (the jsonld.js xsd:double form) and <c>String(x)</c>.
/// </summary>
public class RdfConverterNumberFormattingTests
{
    [Theory]
    [InlineData(0x42862d9c07c6c690UL, "3.04814338684082E12", "3048143386840.8203")]
    [InlineData(0x4833f7b335757bdbUL, "6.794614791870118E39", "6.794614791870118e+39")]
    [InlineData(0x3a85ddc49b198a01UL, "8.831720650196076E-27", "8.831720650196076e-27")]
    [InlineData(0x45831d111664d534UL, "7.394193410873412E26", "7.394193410873412e+26")]
    [InlineData(0x44c459dd571510d5UL, "1.922100782394409E23", "1.922100782394409e+23")]
    [InlineData(0x3b6f934cc278fdfeUL, "2.089484035968781E-22", "2.0894840359687807e-22")]
    [InlineData(0xc6254e2422ec07b8UL, "-8.439874649047852E29", "-8.439874649047852e+29")]
    [InlineData(0x3f7df49570a3d70aUL, "7.313331365585327E-3", "0.007313331365585327")]
    [InlineData(0x3c50fb97f1829dc2UL, "3.682554960250855E-18", "3.682554960250855e-18")]
    [InlineData(0x46152aeca3ba1eb9UL, "4.192689657211304E29", "4.192689657211304e+29")]
    [InlineData(0xc52c93409856fdb1UL, "-1.727265119552613E25", "-1.7272651195526125e+25")]
    [InlineData(0x3cf0fa456d159f4dUL, "3.769789338111877E-15", "3.769789338111877e-15")]
    [InlineData(0x47c19631a1ac1660UL, "4.675345420837402E37", "4.675345420837402e+37")]
    [InlineData(0x3b8078e7261899baUL, "4.360175430774689E-22", "4.360175430774689e-22")]
    [InlineData(0x4539776051121f1eUL, "3.078688383102417E25", "3.0786883831024174e+25")]
    [InlineData(0xc5b6a018880818a8UL, "-7.002214193344116E27", "-7.002214193344116e+27")]
    [InlineData(0x4161924cb7a08000UL, "9.212517738342285E6", "9212517.738342285")]
    [InlineData(0xbe3e0cd90163825cUL, "-6.996604204177857E-9", "-6.996604204177857e-9")]
    [InlineData(0x3dfb83ac47712dc0UL, "4.003864526748657E-10", "4.0038645267486574e-10")]
    [InlineData(0xc754baad3aad996bUL, "-4.305287599563599E35", "-4.3052875995635985e+35")]
    [InlineData(0x3bcf618911bb732dUL, "1.329036951065064E-20", "1.3290369510650636e-20")]
    [InlineData(0xb7b8efd34cd0c533UL, "-2.862606309354305E-40", "-2.862606309354305e-40")]
    [InlineData(0x3e8d42aa9f7b5aeaUL, "2.180070877075195E-7", "2.1800708770751953e-7")]
    [InlineData(0x3fab8ed600000000UL, "5.382412672042847E-2", "0.05382412672042847")]
    [InlineData(0x3e70000000000000UL, "5.960464477539063E-8", "5.960464477539063e-8")]
    [InlineData(0x3e5ad7f29abcaf48UL, "2.5E-8", "2.5e-8")]
    [InlineData(0x3fd5555555555555UL, "3.333333333333333E-1", "0.3333333333333333")]
    [InlineData(0x3fe5555555555555UL, "6.666666666666666E-1", "0.6666666666666666")]
    [InlineData(0x430c6bf526340004UL, "1.000000000000001E15", "1000000000000000.5")]
    [InlineData(0x4011666666666666UL, "4.35E0", "4.35")]
    [InlineData(0x3fb999999999999aUL, "1.0E-1", "0.1")]
    [InlineData(0x7e3a47dc2f33b493UL, "1.1E300", "1.1000000000000002e+300")]
    [InlineData(0x0010000000000000UL, "2.225073858507201E-308", "2.2250738585072014e-308")]
    [InlineData(0x3e60000000000000UL, "2.980232238769531E-8", "2.9802322387695312e-8")]
    [InlineData(0x0410000000000000UL, "4.104536801298376E-289", "4.1045368012983762e-289")]
    [InlineData(0x3ff0000000000000UL, "1.0E0", "1")]
    [InlineData(0xbff8000000000000UL, "-1.5E0", "-1.5")]
    [InlineData(0x444b1ae4d6e2ef50UL, "1.0E21", "1e+21")]
    public void Doubles_format_like_javascript(ulong bits, string xsdDouble, string ecmaScript)
    {
        double value = BitConverter.UInt64BitsToDouble(bits);
        NumberFormatting.ToXsdDouble(value).Should().Be(xsdDouble);
        NumberFormatting.ToEcmaScriptString(value).Should().Be(ecmaScript);
    }

    /// <summary>RFC 8785 Appendix B (number serialization samples).</summary>
    [Theory]
    [InlineData(0x0000000000000000UL, "0")]
    [InlineData(0x8000000000000000UL, "0")]
    [InlineData(0x0000000000000001UL, "5e-324")]
    [InlineData(0x8000000000000001UL, "-5e-324")]
    [InlineData(0x7fefffffffffffffUL, "1.7976931348623157e+308")]
    [InlineData(0xffefffffffffffffUL, "-1.7976931348623157e+308")]
    [InlineData(0x4340000000000000UL, "9007199254740992")]
    [InlineData(0xc340000000000000UL, "-9007199254740992")]
    [InlineData(0x4430000000000000UL, "295147905179352830000")]
    [InlineData(0x44b52d02c7e14af5UL, "9.999999999999997e+22")]
    [InlineData(0x44b52d02c7e14af6UL, "1e+23")]
    [InlineData(0x44b52d02c7e14af7UL, "1.0000000000000001e+23")]
    [InlineData(0x444b1ae4d6e2ef4eUL, "999999999999999700000")]
    [InlineData(0x444b1ae4d6e2ef4fUL, "999999999999999900000")]
    [InlineData(0x444b1ae4d6e2ef50UL, "1e+21")]
    [InlineData(0x3eb0c6f7a0b5ed8cUL, "9.999999999999997e-7")]
    [InlineData(0x3eb0c6f7a0b5ed8dUL, "0.000001")]
    [InlineData(0x41b3de4355555553UL, "333333333.3333332")]
    [InlineData(0x41b3de4355555554UL, "333333333.33333325")]
    [InlineData(0x41b3de4355555555UL, "333333333.3333333")]
    [InlineData(0x41b3de4355555556UL, "333333333.3333334")]
    [InlineData(0x41b3de4355555557UL, "333333333.33333343")]
    [InlineData(0xbecbf647612f3696UL, "-0.0000033333333333333333")]
    [InlineData(0x43143ff3c1cb0959UL, "1424953923781206.2")]
    public void Json_numbers_follow_rfc8785_appendix_b(ulong bits, string expected)
    {
        NumberFormatting.ToEcmaScriptString(BitConverter.UInt64BitsToDouble(bits)).Should().Be(expected);
    }

    [Theory]
    [InlineData(1e30, "1e+30")]
    [InlineData(4.5, "4.5")]
    [InlineData(0.002, "0.002")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(1.5e-7, "1.5e-7")]
    [InlineData(1e-6, "0.000001")]
    [InlineData(1.25e-6, "0.00000125")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1.23e22, "1.23e+22")]
    [InlineData(1e20, "100000000000000000000")]
    [InlineData(1152921504606846976d, "1152921504606847000")]
    [InlineData(123.456, "123.456")]
    [InlineData(-0.5, "-0.5")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(1500, "1500")]
    [InlineData(-0d, "0")]
    public void Json_numbers_use_ecmascript_number_to_string(double value, string expected)
    {
        NumberFormatting.ToEcmaScriptString(value).Should().Be(expected);
    }

    [Theory]
    [InlineData(0d, "0")]
    [InlineData(42d, "42")]
    [InlineData(-9007199254740993d, "-9007199254740992")]
    [InlineData(1e18, "1000000000000000000")]
    [InlineData(9.99e20, "999000000000000000000")]
    public void Integers_are_written_exactly(double value, string expected)
    {
        NumberFormatting.ToXsdInteger(value).Should().Be(expected);
    }

    [Fact]
    public void Negative_zero_has_no_sign()
    {
        NumberFormatting.ToXsdInteger(-0d).Should().Be("0");
        NumberFormatting.ToXsdDouble(-0d).Should().Be("0.0E0");
        NumberFormatting.ToEcmaScriptString(-0d).Should().Be("0");
    }
}
