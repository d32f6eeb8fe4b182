Console.Error.WriteLine("usage: badge canonicalize FILE");
return 2;
