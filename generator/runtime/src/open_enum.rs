//! The `open_enum!` macro: string enums that accept values this client does
//! not know yet.

/// Defines a string enum that keeps unknown values instead of failing.
///
/// ```text
/// crate::open_enum! {
///     /// Docs of the enum.
///     pub enum Status {
///         /// Docs of a variant.
///         Active => "active",
///         #[deprecated]
///         Banned => "banned",
///     }
/// }
/// ```
///
/// expands to a `#[non_exhaustive]` enum with the listed variants plus
/// `Unknown(String)`, deriving `Debug, Clone, PartialEq, Eq, Hash,
/// PartialOrd, Ord`, with `as_str`, `VALUES`, `ALL`, `is_unknown`,
/// `Display`, `From<&str>`, `From<String>`, an infallible `FromStr`, serde
/// `Serialize` / `Deserialize` as a string, and `QueryValue`.
///
/// No listed variant may be called `Unknown`.
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$enum_meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident => $value:literal
            ),* $(,)?
        }
    ) => {
        $(#[$enum_meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )*
            /// A value this client does not know yet.
            Unknown(String),
        }

        #[allow(deprecated, dead_code)]
        impl $name {
            /// Every value this client knows, as sent on the wire.
            pub const VALUES: &'static [&'static str] = &[$($value),*];

            /// Every variant this client knows (`Unknown` excluded).
            pub const ALL: &'static [Self] = &[$(Self::$variant),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether this is a value this client does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }

            /// The known variant for a wire value, if any.
            fn known(value: &str) -> ::std::option::Option<Self> {
                match value {
                    $($value => ::std::option::Option::Some(Self::$variant),)*
                    _ => ::std::option::Option::None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::known(value).unwrap_or_else(|| Self::Unknown(value.to_owned()))
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                Self::known(&value).unwrap_or(Self::Unknown(value))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, ::std::convert::Infallible> {
                ::std::result::Result::Ok(Self::from(value))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;

                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }

                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> ::std::result::Result<$name, E> {
                        ::std::result::Result::Ok($name::from(value))
                    }

                    fn visit_string<E: ::serde::de::Error>(
                        self,
                        value: ::std::string::String,
                    ) -> ::std::result::Result<$name, E> {
                        ::std::result::Result::Ok($name::from(value))
                    }
                }

                deserializer.deserialize_string(Visitor)
            }
        }

        impl $crate::QueryValue for $name {
            fn to_query_value(&self) -> ::std::string::String {
                self.as_str().to_owned()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::QueryValue;

    crate::open_enum! {
        /// A user status.
        pub enum Status {
            /// Active.
            Active => "active",
            #[deprecated = "use Active"]
            Banned => "banned",
            Empty => "",
        }
    }

    crate::open_enum! {
        enum Bare { One => "one", Two => "two" }
    }

    crate::open_enum! {
        pub(crate) enum Nothing {}
    }

    #[test]
    fn round_trip_known_values() {
        for value in Status::VALUES {
            let status = Status::from(*value);
            assert!(!status.is_unknown(), "{value}");
            assert_eq!(status.as_str(), *value);
            let json = serde_json::to_string(&status).expect("serializable");
            assert_eq!(json, format!("\"{value}\""));
            assert_eq!(
                serde_json::from_str::<Status>(&json).expect("decodable"),
                status
            );
        }
        assert_eq!(Status::ALL.len(), Status::VALUES.len());
        assert_eq!(Status::from(""), Status::Empty);
        assert_eq!("active".parse::<Status>(), Ok(Status::Active));
        assert_eq!(Status::Active.to_string(), "active");
        assert_eq!(Bare::from("two".to_owned()), Bare::Two);
        assert_eq!(Bare::ALL, &[Bare::One, Bare::Two]);
        assert!(Nothing::VALUES.is_empty());
        assert_eq!(Nothing::from("x"), Nothing::Unknown("x".into()));
    }

    #[test]
    fn unknown_values_are_kept() {
        let status: Status = serde_json::from_str("\"suspended\"").expect("decodable");
        assert_eq!(status, Status::Unknown("suspended".into()));
        assert!(status.is_unknown());
        assert_eq!(status.as_str(), "suspended");
        assert_eq!(
            serde_json::to_string(&status).expect("serializable"),
            "\"suspended\""
        );
        assert_eq!(
            Status::from("Active".to_owned()),
            Status::Unknown("Active".into())
        );
        let from_value: Status =
            serde_json::from_value(serde_json::json!("banned")).expect("decodable");
        #[allow(deprecated)]
        let banned = Status::Banned;
        assert_eq!(from_value, banned);
    }

    #[test]
    fn non_strings_are_errors() {
        let err = serde_json::from_str::<Status>("3").unwrap_err();
        assert!(err.to_string().contains("a string (Status)"), "{err}");
        assert!(serde_json::from_value::<Status>(serde_json::Value::Null).is_err());
    }

    #[test]
    fn query_value_and_ordering() {
        assert_eq!(Status::Active.to_query_value(), "active");
        assert_eq!(Status::Unknown("x y".into()).to_query_value(), "x y");
        let mut query = crate::Query::new();
        query.push_array("status", &[Status::Active, Status::Empty], false, ',');
        assert_eq!(
            query.pairs(),
            &[("status".to_owned(), "active,".to_owned())]
        );
        assert!(Bare::One < Bare::Two);
    }
}
