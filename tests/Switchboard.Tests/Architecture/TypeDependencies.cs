using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Switchboard.Tests.Architecture;

/// <summary>
/// Which of the product's own types each product type uses: signatures, attributes and method bodies,
/// with compiler-generated nested types (lambdas, async state machines, extension blocks) counted as
/// their outermost declaring type. Read from the compiled assembly with Mono.Cecil.
/// </summary>
internal static class TypeDependencies
{
    private const string Root = "Switchboard.";

    /// <summary>(using type, used type) pairs, both as outermost type full names, between distinct types.</summary>
    public static IReadOnlySet<(string From, string To)> Of(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var pairs = new HashSet<(string, string)>();
        foreach (var type in module.GetTypes())
        {
            var from = Outermost(type).FullName;
            if (!from.StartsWith(Root, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var to in UsedBy(type).SelectMany(Expand))
            {
                if (to.FullName != from && to.FullName.StartsWith(Root, StringComparison.Ordinal))
                {
                    pairs.Add((from, to.FullName));
                }
            }
        }

        return pairs;
    }

    /// <summary>The namespace of a type full name as <see cref="Of"/> returns it.</summary>
    public static string NamespaceOf(string fullName) => fullName[..Math.Max(0, fullName.LastIndexOf('.'))];

    private static IEnumerable<TypeReference> UsedBy(TypeDefinition type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var i in type.Interfaces)
        {
            yield return i.InterfaceType;
        }

        foreach (var a in Attributes(type))
        {
            yield return a;
        }

        foreach (var field in type.Fields)
        {
            yield return field.FieldType;
            foreach (var a in Attributes(field))
            {
                yield return a;
            }
        }

        foreach (var property in type.Properties)
        {
            yield return property.PropertyType;
            foreach (var a in Attributes(property))
            {
                yield return a;
            }
        }

        foreach (var method in type.Methods)
        {
            yield return method.ReturnType;
            foreach (var p in method.Parameters)
            {
                yield return p.ParameterType;
            }

            foreach (var a in Attributes(method))
            {
                yield return a;
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var v in method.Body.Variables)
            {
                yield return v.VariableType;
            }

            foreach (var instruction in method.Body.Instructions)
            {
                foreach (var t in Operand(instruction))
                {
                    yield return t;
                }
            }
        }
    }

    private static IEnumerable<TypeReference> Attributes(ICustomAttributeProvider provider)
    {
        foreach (var attribute in provider.CustomAttributes)
        {
            yield return attribute.AttributeType;
            foreach (var argument in attribute.ConstructorArguments)
            {
                if (argument.Value is TypeReference t)
                {
                    yield return t;
                }
            }
        }
    }

    private static IEnumerable<TypeReference> Operand(Instruction instruction)
    {
        switch (instruction.Operand)
        {
            case TypeReference t:
                yield return t;
                break;
            case MethodReference m:
                yield return m.DeclaringType;
                yield return m.ReturnType;
                foreach (var p in m.Parameters)
                {
                    yield return p.ParameterType;
                }

                if (m is GenericInstanceMethod generic)
                {
                    foreach (var argument in generic.GenericArguments)
                    {
                        yield return argument;
                    }
                }

                break;
            case FieldReference f:
                yield return f.DeclaringType;
                yield return f.FieldType;
                break;
        }
    }

    /// <summary>A used type and every type in it (element types, generic arguments), each as its outermost declaring type.</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference type)
    {
        switch (type)
        {
            case GenericInstanceType generic:
                foreach (var t in Expand(generic.ElementType).Concat(generic.GenericArguments.SelectMany(Expand)))
                {
                    yield return t;
                }

                yield break;
            case TypeSpecification specification:
                foreach (var t in Expand(specification.ElementType))
                {
                    yield return t;
                }

                yield break;
            case GenericParameter:
                yield break;
            default:
                yield return Outermost(type);
                yield break;
        }
    }

    private static TypeReference Outermost(TypeReference type)
    {
        while (type.DeclaringType is { } declaring)
        {
            type = declaring;
        }

        return type;
    }
}
